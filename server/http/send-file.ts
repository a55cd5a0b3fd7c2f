import type { FileHandle } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { getRequestHeader, setResponseHeaders, setResponseStatus, type H3Event } from 'h3'
import { ACCEL_PREFIX } from '../../config/nginx-conf'
import type { ContainedFile } from '../../media/contained-file'
import { SNIFF_BYTES, sniffImageFormat } from '../../media/image-format'

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif',
  webp: 'image/webp', avif: 'image/avif', bmp: 'image/bmp',
}

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream'
}

/** An open file to send: the descriptor that was checked, and its fstat. */
export type OpenFile = Pick<ContainedFile, 'handle' | 'info'>

/**
 * The type the bytes say, not the name: a PNG saved as .jpg must go out as image/png, since
 * `nosniff` forbids the browser to guess. Reads the descriptor that will be sent, never the name.
 */
export async function sniffContentType(handle: FileHandle, name: string): Promise<string> {
  const head = Buffer.alloc(SNIFF_BYTES)
  const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0)
  const sniffed = sniffImageFormat(head.subarray(0, bytesRead))
  return sniffed.raster ? CONTENT_TYPES[sniffed.format]! : contentTypeOf(name)
}

/**
 * Sends an open file with ETag / If-None-Match, single-range `Range` and `If-Range` support (what
 * browsers and video-style viewers send), for GET and HEAD. Takes over the descriptor: it is closed
 * on every way out — HEAD, 304, 416, the end of the body, an error, a client that went away.
 */
export async function sendFile(event: H3Event, file: OpenFile, cacheControl: string, contentType: string): Promise<void> {
  const { handle, info } = file
  let streaming = false
  try {
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
      event.node.res.end()
      return
    }
    const rangeHeader = ifRangeHolds(getRequestHeader(event, 'if-range'), etag, info.mtime) ? getRequestHeader(event, 'range') : undefined
    const range = parseRange(rangeHeader, info.size)
    if (range === 'unsatisfiable') {
      setResponseStatus(event, 416)
      setResponseHeaders(event, { 'Content-Range': `bytes */${info.size}`, 'Content-Length': '0' })
      event.node.res.end()
      return
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
    // The stream owns the descriptor from here (autoClose), and pipeline destroys it when the
    // client goes away, which closes it; h3's sendStream would leave it paused and open.
    const body = handle.createReadStream({ start, end, autoClose: true })
    streaming = true
    event._handled = true
    await pipeline(body, event.node.res).catch(() => undefined)
  } finally {
    if (!streaming) await handle.close().catch(() => undefined)
  }
}

/**
 * RFC 9110 §13.1.5: a Range counts only while the representation is still the one the client
 * has, named by a strong entity tag or by exactly its Last-Modified date; otherwise the whole
 * file is sent (200). No If-Range: the Range counts.
 */
function ifRangeHolds(header: string | undefined, etag: string, modified: Date): boolean {
  if (header === undefined) return true
  const validator = header.trim()
  if (validator.startsWith('W/')) return false
  if (validator.startsWith('"')) return validator === etag
  const date = Date.parse(validator)
  return Number.isFinite(date) && date === Math.floor(modified.getTime() / 1000) * 1000
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
