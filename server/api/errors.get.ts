import { defineEventHandler } from 'h3'
import { useApp } from '../app-context'

export default defineEventHandler(async () => {
  const errors = await (await useApp()).store.listErrors()
  return { total: errors.length, errors }
})
