import { readFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

const FIXTURES = new URL('../fixtures/pixiv/', import.meta.url)

/** One reply of the fake pixiv. */
export interface PixivReply {
  status: number
  /** A fixture's parsed JSON, any JSON value, or raw text (sent as it is: malformed JSON, HTML). */
  body: unknown
  headers?: Record<string, string>
  /** Never answer (until `release()` or the server closes): a reply slower than any timeout. */
  hang?: boolean
  /** Send the headers, then hold the body back (until `release()`): the timeout must cover the body too. */
  hangBody?: boolean
}

export interface RecordedRequest {
  illustid: string
  headers: IncomingHttpHeaders
}

export interface PixivServer {
  /** The base URL to configure as `pixiv.baseUrl`. */
  url: string
  requests: RecordedRequest[]
  /** Requests for one work. */
  count(illustid: string): number
  /** The replies to a work, in order; the last one repeats. Unknown works get pixiv's deleted reply. */
  reply(illustid: string, ...replies: PixivReply[]): void
  /** Answers every held request (with its reply, or a 200 success for a held body). */
  release(): void
  close(): Promise<void>
}

/** A fixture from test/fixtures/pixiv as parsed JSON. */
export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as Record<string, unknown>
}

/**
 * A success reply from a fixture, for another illust id and with other body fields.
 *
 * @example
 * okReply('illust-single', '123', { bookmarkCount: 5 })
 */
export function okReply(name: 'illust-single' | 'illust-pages', illustid: string, body: Record<string, unknown> = {}): PixivReply {
  const json = fixture(name) as { body: Record<string, unknown> }
  return { status: 200, body: { ...json, body: { ...json.body, illustId: illustid, id: illustid, ...body } } }
}

export const deletedReply = (): PixivReply => ({ status: 404, body: fixture('deleted') })
export const restrictedReply = (): PixivReply => ({ status: 403, body: fixture('restricted') })

/**
 * A local HTTP server that answers `GET /ajax/illust/{id}` as pixiv's web API does (status,
 * content type, JSON shapes from test/fixtures/pixiv), with scripted replies per work, and records
 * every request. Anything else gets a 404 HTML page, as on pixiv.
 */
export async function startPixivServer(): Promise<PixivServer> {
  const scripts = new Map<string, PixivReply[]>()
  const requests: RecordedRequest[] = []
  const held: Array<() => void> = []

  const send = (res: ServerResponse, reply: PixivReply) => {
    // The client may have given up (timeout) while the reply was held.
    if (res.destroyed || res.socket?.destroyed) return
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body)
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...reply.headers })
    if (reply.hangBody) {
      res.write(text.slice(0, 10))
      held.push(() => {
        if (!res.destroyed) res.end(text.slice(10))
      })
      return
    }
    res.end(text)
  }

  const server = createServer((req, res) => {
    const match = /^\/ajax\/illust\/(\d+)(?:\?.*)?$/.exec(req.url ?? '')
    if (req.method !== 'GET' || !match) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' })
      res.end('<!DOCTYPE html><html><head><title>pixiv</title></head><body>404</body></html>')
      return
    }
    const illustid = match[1]!
    requests.push({ illustid, headers: req.headers })
    const script = scripts.get(illustid)
    const reply = script?.length ? (script.length > 1 ? script.shift()! : script[0]!) : deletedReply()
    if (reply.hang) {
      held.push(() => send(res, { ...reply, hang: false }))
      return
    }
    send(res, reply)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (illustid) => requests.filter((request) => request.illustid === illustid).length,
    reply: (illustid, ...replies) => void scripts.set(illustid, replies),
    release: () => {
      for (const answer of held.splice(0)) answer()
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
