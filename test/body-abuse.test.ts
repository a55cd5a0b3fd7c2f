import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { startServer, type RunningServer } from './helpers/server'

const TOKEN = 'body-abuse-test-token-0123456789'
const MiB = 2 ** 20
const BODY = 64 * MiB

interface Outcome {
  status: number
  body: string
  /** Bytes of the body the client managed to hand to its socket before the answer came. */
  sent: number
}

/**
 * POSTs (or PUTs) a chunked body of `total` bytes, generated 64 KiB at a time (never held whole),
 * and stops sending once the server answers.
 */
function sendChunked(url: string, options: { method?: string; total: number; headers?: Record<string, string>; localAddress?: string }): Promise<Outcome> {
  const chunk = Buffer.alloc(64 * 1024, 0x61)
  return new Promise((resolve, reject) => {
    let sent = 0
    let answered = false
    const request = httpRequest(url, { method: options.method ?? 'POST', headers: { 'content-type': 'application/json', ...options.headers }, localAddress: options.localAddress }, (response) => {
      answered = true
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (text: string) => (body += text))
      response.on('end', () => {
        request.destroy()
        resolve({ status: response.statusCode ?? 0, body, sent })
      })
      response.on('error', () => resolve({ status: response.statusCode ?? 0, body, sent }))
    })
    // Once the server has answered and closed, writes fail: that is the expected end, not an error.
    request.on('error', (error) => {
      if (!answered) reject(error)
    })
    const pump = () => {
      while (!answered && sent < options.total) {
        sent += chunk.length
        if (!request.write(chunk)) return void request.once('drain', pump)
      }
      if (!answered) request.end()
    }
    pump()
  })
}

/** The server process's resident memory (it runs the built server in the process `sagasu serve` started). */
function rssBytes(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!line) throw new Error(`no VmRSS for process ${pid}`)
  return Number(line[1]) * 1024
}

function post(url: string, body: unknown, headers: Record<string, string> = {}, localAddress?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, localAddress }, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (text += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }))
    })
    request.on('error', reject)
    request.end(JSON.stringify(body))
  })
}

describe('request bodies and logins before and after authentication', () => {
  let server: RunningServer
  const auth = { authorization: `Bearer ${TOKEN}` }

  beforeAll(async () => {
    const dir = tempDir()
    await writeImage(join(dir, 'lib', 'a.png'), { color: colorOf(1) })
    const configFile = writeConfig(dir, {
      folders: [{ name: 'lib', path: './lib' }],
      dataDir: './data',
      server: { token: TOKEN },
      models: { clip: { enabled: false }, tagger: { enabled: false }, ocr: { enabled: false } },
    })
    server = await startServer(['--config', configFile], { token: TOKEN })
  }, 120_000)

  afterAll(async () => {
    await server?.stop()
  })

  it('answers a chunked 64 MiB body with 413 and stops reading it, before and after the token, with bounded memory', async () => {
    const pid = server.process.pid!
    const before = rssBytes(pid)
    const login = await sendChunked(`${server.url}/api/login`, { total: BODY })
    expect(login.status).toBe(413)
    expect(JSON.parse(login.body).error.message).toBe('the request body is larger than 16 KiB')
    // The server stopped reading: the client could not hand it the whole body.
    expect(login.sent).toBeLessThan(BODY)
    const settings = await sendChunked(`${server.url}/api/settings`, { method: 'PUT', total: BODY, headers: auth })
    expect(settings.status).toBe(413)
    expect(JSON.parse(settings.body).error.message).toBe('the request body is larger than 1 MiB')
    expect(settings.sent).toBeLessThan(BODY)
    // Without the token nothing is read at all.
    const anonymous = await sendChunked(`${server.url}/api/settings`, { method: 'PUT', total: BODY })
    expect(anonymous.status).toBe(401)
    expect(anonymous.sent).toBeLessThan(BODY)
    const parallel = await Promise.all([
      sendChunked(`${server.url}/api/login`, { total: BODY }),
      sendChunked(`${server.url}/api/login`, { total: BODY }),
      sendChunked(`${server.url}/api/settings`, { method: 'PUT', total: BODY, headers: auth }),
      sendChunked(`${server.url}/api/search`, { total: BODY, headers: auth }),
    ])
    expect(parallel.map((outcome) => outcome.status)).toEqual([413, 413, 413, 413])
    const growth = rssBytes(pid) - before
    expect(growth, `server RSS grew by ${(growth / MiB).toFixed(1)} MiB`).toBeLessThan(BODY)
    // The server goes on answering.
    const health = await fetch(`${server.url}/api/health`, { headers: auth })
    expect(health.status).toBe(200)
    // A declared Content-Length past the limit is refused before any of it is read.
    const declared = await post(`${server.url}/api/dataset/batches`, { batch_size: 1, q: 'x'.repeat(MiB) }, auth)
    expect(declared.status).toBe(413)
    expect(declared.headers.connection).toBe('close')
  })

  it('throttles wrong tokens per client address with 429 and Retry-After, the right token included', async () => {
    // Each test address is its own client: Linux answers all of 127.0.0.0/8 on the loopback device.
    const guesser = '127.0.0.7'
    const other = '127.0.0.8'
    const login = (token: string, from: string) => post(`${server.url}/api/login`, { token }, {}, from)
    for (let attempt = 0; attempt < 10; attempt++) expect((await login(`wrong-${attempt}`, guesser)).status).toBe(401)
    const throttled = await login('wrong-again', guesser)
    expect(throttled.status).toBe(429)
    const wait = Number(throttled.headers['retry-after'])
    expect(Number.isInteger(wait) && wait >= 1 && wait <= 60, `Retry-After: ${throttled.headers['retry-after']}`).toBe(true)
    expect(JSON.parse(throttled.body).error.message).toMatch(/too many wrong tokens from this address \(10 within a minute\): try again in \d+ s/)
    // While throttled the right token is refused too, so guessing learns nothing; a token in a header as well.
    expect((await login(TOKEN, guesser)).status).toBe(429)
    expect((await post(`${server.url}/api/search`, { q: '' }, auth, guesser)).status).toBe(429)
    // Another address is not affected, and its success clears nothing of the first one's count.
    expect((await login(TOKEN, other)).status).toBe(200)
    expect((await login(TOKEN, guesser)).status).toBe(429)
    // Wrong tokens in a header count as guesses too.
    const headerGuesser = '127.0.0.9'
    for (let attempt = 0; attempt < 10; attempt++) expect((await post(`${server.url}/api/search`, { q: '' }, { authorization: `Bearer nope-${attempt}` }, headerGuesser)).status).toBe(401)
    expect((await login(TOKEN, headerGuesser)).status).toBe(429)
  })
})
