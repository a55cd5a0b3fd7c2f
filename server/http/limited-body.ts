import type { IncomingMessage } from 'node:http'
import { setResponseHeader, type H3Event } from 'h3'

/** Where h3 (1.15) looks first for a body already read: readRawBody, readBody and readMultipartFormData all take it from here. */
export const H3_RAW_BODY = Symbol.for('h3RawBody')

/** Whether a request announces a body: a non-zero Content-Length or chunked transfer coding. */
export function hasRequestBody(request: IncomingMessage): boolean {
  return Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined
}

export type LimitedBody = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' }

/**
 * Reads a request body into memory, counting bytes as they arrive (a chunked body declares no
 * length): past `limit` it stops reading, drops what it has and pauses the request, so a client
 * cannot make the server hold more than `limit` bytes of one body.
 */
export function readLimitedBody(request: IncomingMessage, limit: number): Promise<LimitedBody> {
  return new Promise((resolve) => {
    let chunks: Buffer[] = []
    let size = 0
    const finish = (result: LimitedBody) => {
      request.off('data', onData).off('end', onEnd).off('error', onAbort).off('aborted', onAbort).off('close', onClose)
      resolve(result)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        chunks = []
        request.pause()
        finish({ ok: false, reason: 'too-large' })
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks, size) })
    const onAbort = () => finish({ ok: false, reason: 'aborted' })
    const onClose = () => {
      if (!request.complete) onAbort()
    }
    request.on('data', onData).on('end', onEnd).on('error', onAbort).on('aborted', onAbort).on('close', onClose)
  })
}

/** How long a connection refused mid-body stays open for the client to read the answer. */
const LINGER_MS = 5000

/**
 * Ends the connection after the answer without reading what the client still sends. Node closes a
 * `Connection: close` socket with `destroySoon()` right after the answer, and closing a socket with
 * unread data makes the kernel send a reset, which can reach the client before it has read the
 * answer (a client still writing sees only EPIPE). So the socket stops reading, sends the answer and
 * its end, and is destroyed LINGER_MS later (sooner if it closes); what the client sends meanwhile
 * waits in the kernel's buffer, unread.
 */
export function closeAfterAnswer(event: H3Event): void {
  setResponseHeader(event, 'Connection', 'close')
  const socket = event.node.req.socket
  socket.destroySoon = function lingeringClose(this: typeof socket) {
    this.pause()
    this.end()
    const timer = setTimeout(() => this.destroy(), LINGER_MS)
    timer.unref()
    this.once('close', () => clearTimeout(timer))
  }
}
