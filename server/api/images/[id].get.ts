import { defineEventHandler, getRouterParam } from 'h3'
import { useApp } from '../../app-context'
import { errorResponse } from '../../http/error-response'

export default defineEventHandler(async (event) => {
  const raw = getRouterParam(event, 'id') ?? ''
  if (!/^\d{1,15}$/.test(raw)) return errorResponse(event, 400, `image id must be a positive whole number, got "${raw}"`)
  const image = await (await useApp()).store.getImage(Number(raw))
  return image ?? errorResponse(event, 404, `no image with id ${raw}`)
})
