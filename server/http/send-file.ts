import { createReadStream } from 'node:fs'
import type { Stats } from 'node:fs'
import { getRequestHeader, sendStream, setResponseHeaders, setResponseStatus, type H3Event } from 'h3'

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif',
  webp: 'image/webp', avif: 'image/avif', bmp: 'image/bmp',
}

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Sends a file with ETag / If-None-Match and single-range `Range` support (what browsers and
 * video-style viewers send), for GET and HEAD.
 */
export async function sendFile(event: H3Event, absPath: string, info: Stats, cacheControl: string): Promise<unknown> {
  const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`
  setResponseHeaders(event, {
    'Content-Type': contentTypeOf(absPath),
    ETag: etag,
    'Last-Modified': info.mtime.toUTCString(),
    'Accept-Ranges': 'bytes',
    'Cache-Control': cacheControl,
    'X-Content-Type-Options': 'nosniff',
  })
  const ifNoneMatch = getRequestHeader(event, 'if-none-match')
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    setResponseStatus(event, 304)
    return null
  }
  const range = parseRange(getRequestHeader(event, 'range'), info.size)
  if (range === 'unsatisfiable') {
    setResponseStatus(event, 416)
    setResponseHeaders(event, { 'Content-Range': `bytes */${info.size}` })
    return null
  }
  const start = range?.start ?? 0
  const end = range?.end ?? info.size - 1
  if (range) {
    setResponseStatus(event, 206)
    setResponseHeaders(event, { 'Content-Range': `bytes ${start}-${end}/${info.size}` })
  }
  setResponseHeaders(event, { 'Content-Length': String(info.size === 0 ? 0 : end - start + 1) })
  if (event.method === 'HEAD' || info.size === 0) return null
  return sendStream(event, createReadStream(absPath, { start, end }))
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`; several ranges are answered with the whole file. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match) return undefined
  const [, from, to] = match
  if (from === '' && to === '') return undefined
  let start: number
  let end: number
  if (from === '') {
    const suffix = Number(to)
    if (suffix === 0) return 'unsatisfiable'
    start = Math.max(0, size - suffix)
    end = size - 1
  } else {
    start = Number(from)
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1)
  }
  if (start >= size || start > end) return 'unsatisfiable'
  return { start, end }
}
