import { setTimeout as sleep } from 'node:timers/promises'
import type { SagasuConfig } from '../../config/schema'
import type { PixivOutcome } from '../../server/store/store'
import { interpretReply } from './illust-reply'
import { parseRetryAfter } from './retry-after'

export type PixivClientOptions = Pick<SagasuConfig['pixiv'], 'baseUrl' | 'cookie' | 'userAgent' | 'timeoutMs' | 'retries' | 'backoffMs' | 'maxWaitMs'>

export interface PixivClient {
  /**
   * Everything pixiv says about one work, retries included. Resolves with the outcome (never
   * rejects for pixiv's or the network's sake); rejects only when `signal` aborts, with no outcome.
   */
  fetchWork(illustid: string, signal?: AbortSignal): Promise<PixivOutcome>
}

/** pixiv's web pages send this Referer; the API answers requests that carry it. */
const REFERER = 'https://www.pixiv.net/'
/** A work's reply is tens of KiB; more than this is not pixiv's API. */
const MAX_REPLY_BYTES = 8 * 1024 * 1024

type Reply = { status: number; text: string; retryAfterMs?: number } | { failure: string }

/**
 * A client for `GET {baseUrl}/ajax/illust/{id}`: the only URL it ever requests is the configured
 * base URL plus a numeric id. Each request has its own timeout (covering the whole reply); network
 * errors, timeouts, 429 and 5xx are retried with exponential backoff (`backoffMs`, doubling), a
 * `Retry-After` taking the place of the backoff; every wait is capped at `maxWaitMs`.
 *
 * @example
 * const client = createPixivClient(config.pixiv)
 * const outcome = await client.fetchWork('87598468') // { status: 'ok', work: { title: 'Billow', … }, requests: 1 }
 */
export function createPixivClient(options: PixivClientOptions): PixivClient {
  const base = options.baseUrl.replace(/\/+$/, '')
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'User-Agent': options.userAgent,
    Referer: REFERER,
    ...(options.cookie ? { Cookie: options.cookie } : {}),
  }

  async function request(url: string, signal: AbortSignal | undefined): Promise<Reply> {
    const timeout = AbortSignal.timeout(options.timeoutMs)
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout
    try {
      // No redirects: a 3xx is an answer about this URL, not a reason to request another one.
      const response = await fetch(url, { headers, signal: combined, redirect: 'manual' })
      const text = await readCapped(response)
      if (text === undefined) return { failure: `HTTP ${response.status}: the reply is larger than ${MAX_REPLY_BYTES / 1024 / 1024} MiB` }
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now())
      return { status: response.status, text, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      if (timeout.aborted) return { failure: `no complete reply within ${options.timeoutMs} ms` }
      return { failure: `network error: ${describeError(error)}` }
    }
  }

  return {
    async fetchWork(illustid, signal) {
      if (!/^\d{1,20}$/.test(illustid)) throw new TypeError(`not a pixiv illust id: ${JSON.stringify(illustid)}`)
      const url = `${base}/ajax/illust/${illustid}`
      let requests = 0
      for (let attempt = 0; ; attempt++) {
        signal?.throwIfAborted()
        requests++
        const reply = await request(url, signal)
        let problem: string
        let wait: number | undefined
        if ('failure' in reply) {
          problem = reply.failure
        } else {
          const answer = interpretReply(reply.status, reply.text)
          if (answer.kind === 'ok' && answer.work.illustid === illustid) return { status: 'ok', work: answer.work, requests }
          if (answer.kind === 'permanent') return { status: answer.status, message: answer.message, requests }
          problem = answer.kind === 'ok' ? `the reply is about work ${answer.work.illustid}` : answer.message
          wait = reply.retryAfterMs
        }
        if (attempt >= options.retries) return { status: 'failed', message: `${problem}, ${requests} ${requests === 1 ? 'attempt' : 'attempts'}`, requests }
        await sleep(Math.min(options.maxWaitMs, wait ?? options.backoffMs * 2 ** attempt), undefined, { signal })
      }
    },
  }
}

/** The body as text, or undefined past the size cap (the rest is not read). */
async function readCapped(response: Response): Promise<string | undefined> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > MAX_REPLY_BYTES) {
      await reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  // undici puts the system error (ECONNREFUSED, ECONNRESET, …) in `cause`.
  const cause = error.cause instanceof Error ? error.cause : undefined
  return cause ? `${error.message} (${(cause as NodeJS.ErrnoException).code ?? cause.message})` : error.message
}
