import { defineEventHandler } from 'h3'

/**
 * HEAD on an API route answers as its GET does, without the body (Node drops the body of an answer
 * to HEAD): the routes are registered for GET only, and the catch-all would say 404.
 */
export default defineEventHandler((event) => {
  if (event.method === 'HEAD' && event.path.startsWith('/api/')) event._method = 'GET'
})
