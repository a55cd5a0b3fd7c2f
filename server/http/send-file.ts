import { createReadStream } from 'node:fs'
import type { Stats } from 'node:fs'
import { open } from 'node:fs/promises'
import { getRequestHeader, sendStream, setResponseHeaders, setResponseStatus, type H3Event } from 'h3'
import { ACCEL_PREFIX } from '../../config/nginx-conf'

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif',
  webp: 'image/webp', avif: 'image/avif', bmp: 'image/bmp',
}

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * The type the bytes say, not the name: a PNG saved as .jpg must go out as image/png, since
 * `nosniff` forbids the browser to guess.
 */
export async function sniffContentType(path: string): Promise<string> {
  const head = Buffer.alloc(16)
  const file = await open(path, 'r')
  try {
    await file.read(head, 0, 16, 0)
  } finally {
    await file.close()
  }
  if (head[0] === 0x89 && head.toString('latin1', 1, 4) === 'PNG') return 'image/png'
  if (head[0] === 0xff && head[1] === 0xd8) return 'image/jpeg'
  if (head.toString('latin1', 0, 4) === 'GIF8') return 'image/gif'
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp'
  if (head.toString('latin1', 4, 8) === 'ftyp' && /^avi[fs]$/.test(head.toString('latin1', 8, 12))) return 'image/avif'
  if (head[0] === 0x42 && head[1] === 0x4d) return 'image/bmp'
  return contentTypeOf(path)
}

/**
 * Sends a file with ETag / If-None-Match and single-range `Range` support (what browsers and
 * video-style viewers send), for GET and HEAD.
 */
export async function sendFile(event: H3Event, absPath: string, info: Stats, cacheControl: string, contentType = contentTypeOf(absPath)): Promise<unknown> {
  const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`
  setResponseHeaders(event, {
    'Content-Type': contentType,
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
  if (event.method === 'HEAD' || info.size === 0) {
    // Ending the response here keeps the status and Content-Length; returning null would make it a 204.
    event.node.res.end()
    return
  }
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

/**
 * Behind the nginx of `sagasu nginx-conf` (which sends `X-Sagasu-Accel: /_sagasu` on file requests),
 * the app answers a checked file request with an `X-Accel-Redirect` to nginx's internal location for
 * it and no body; nginx then sends the file from disk. Returns false when the request did not come
 * that way (the app sends the file itself).
 *
 * @example
 * if (acceleratedBy(event, `files/${folder}/${path}`, type, 'private, max-age=3600')) return null
 */
export function acceleratedBy(event: H3Event, internalPath: string, contentType: string, cacheControl: string): boolean {
  if (getRequestHeader(event, 'x-sagasu-accel') !== ACCEL_PREFIX) return false
  setResponseHeaders(event, {
    'X-Accel-Redirect': `${ACCEL_PREFIX}/${internalPath}`,
    'Content-Type': contentType,
    'Cache-Control': cacheControl,
  })
  event.node.res.end()
  return true
}
