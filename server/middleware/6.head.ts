import { defineEventHandler, setResponseHeaders } from 'h3'

/** Routes whose GET streams until the client leaves: a HEAD would wait for headers that never come. */
const STREAMS = new Set(['/api/jobs/events'])

/**
 * HEAD on an API route answers as its GET does, without the body (Node drops the body of an answer
 * to HEAD): the routes are registered for GET only, and the catch-all would say 404.
 */
export default defineEventHandler((event) => {
  if (event.method !== 'HEAD' || !event.path.startsWith('/api/')) return
  if (STREAMS.has(event.path.split('?')[0]!)) {
    setResponseHeaders(event, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
    return ''
  }
  event._method = 'GET'
})
