import { defineEventHandler, getRouterParam } from 'h3'
import { useApp } from '../../app-context'
import { errorResponse } from '../../http/error-response'

export default defineEventHandler(async (event) => {
  const raw = getRouterParam(event, 'id') ?? ''
  if (!/^\d{1,15}$/.test(raw)) return errorResponse(event, 400, `image id must be a positive whole number, got "${raw}"`)
  const { store } = await useApp()
  const image = await store.getImage(Number(raw))
  if (!image) return errorResponse(event, 404, `no image with id ${raw}`)
  // The file's warnings (an extension that does not match, AI metadata with a field that could not be resolved).
  const warnings = (await store.listErrors(image.folder, image.path))
    .filter((record) => record.level === 'warning')
    .map(({ stage, reason }) => ({ stage, reason }))
  return warnings.length ? { ...image, warnings } : image
})
