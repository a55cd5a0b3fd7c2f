import { Agent, request } from 'node:http'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { startServer, type RunningServer } from './helpers/server'

const TOTAL = 100_000
const PARALLEL = 16

/** Valid queries to mutate: every clause form, so mutations land near real syntax. */
const SEEDS = [
  'tags.long_hair', '!tags.long_hair', 'tags.long_hair;>=0.8', 'tags.*_hair;>0.5&<0.9', 'tags.st._louis_(azur_lane)',
  'tags1:a, tags1:b', '|tags1:a, |tags1:b', 'tags1:Re:ゼロ', "userid;='12345'", 'likeCount;=null', 'date;>2000-01-01 12:00', '!tags1:a', 'tags1', 'width;>1000&<2000', 'userid;="12345"', 'userid;=12345',
  'date;>2020-01-01&<2021-01-01', 'date;>-30d', 'filesize;>1000000', 'textlen;>10', 'm;ありがとう', 'mt;long hair',
  'prompt;1girl', '(tags.red_hair | tags.blue_hair), width;>=1920', '!(type;=pixiv | type;=twitter)', 'animated', '!m',
  'filename;="a,b;c&d:e|f"', 'type;=yandere, tags1:"x:y"',
]
const ALPHABET = [...',|()!;&:"\\.*<>=- _', 'a', 'z', '0', '9', 'あ', '雨', '\u0000', '\t', '%', '#', '?', '/']

const mutated = fc.tuple(fc.constantFrom(...SEEDS), fc.array(fc.tuple(fc.nat(), fc.nat(2), fc.constantFrom(...ALPHABET)), { maxLength: 6 }))
  .map(([seed, edits]) => edits.reduce((text, [at, kind, char]) => {
    const i = text.length ? at % (text.length + 1) : 0
    return kind === 0 ? text.slice(0, i) + char + text.slice(i) : kind === 1 ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + char + text.slice(i + 1)
  }, seed))
const queries = fc.oneof(mutated, fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 40 }))

describe('the search route under random and mutated queries', () => {
  let server: RunningServer
  const agent = new Agent({ keepAlive: true, maxSockets: PARALLEL })

  beforeAll(async () => {
    const dir = tempDir()
    for (let i = 0; i < 5; i++) await writeImage(join(dir, 'lib', `${i}_${100 + i}_p0.png`), { color: colorOf(i) })
    server = await startServer(['--config', writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data' })])
  })

  afterAll(async () => {
    agent.destroy()
    await server?.stop()
  })

  function get(path: string): Promise<{ status: number; body: string }> {
    const { hostname, port } = new URL(server.url)
    return new Promise((resolve, reject) => {
      const req = request({ hostname, port, path, agent }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', reject)
      req.end()
    })
  }

  /** Percent-encodes the UTF-8 bytes, as a browser would (a lone surrogate becomes U+FFFD). */
  const encode = (text: string) => [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')

  it(`answers ${TOTAL} of them with 200 or a 400 that has a position, never a 5xx`, async () => {
    const samples = fc.sample(queries, { numRuns: TOTAL, seed: 20261121 })
    const statuses = new Map<number, number>()
    let next = 0
    const failures: string[] = []
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      while (next < samples.length && failures.length < 5) {
        const q = samples[next++]!
        const sort = next % 7 === 0 ? `&sort=${encode(q.slice(0, 12))}` : ''
        // Every 11th query goes raw, so malformed percent-encoding reaches the server too.
        const raw = next % 11 === 0 ? q.replace(/[^\x21-\x7e]/g, (char) => encode(char)).replace(/[#&]/g, (char) => encode(char)) : encode(q)
        const { status, body } = await get(`/api/search?limit=5&q=${raw}${sort}`)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        if (status === 200) continue
        const error = status === 400 ? (JSON.parse(body) as { error?: { message?: string; position?: unknown } }).error : undefined
        const position = error?.position
        const wellFormed = status === 400 && typeof error?.message === 'string' && typeof position === 'number' && Number.isInteger(position) && position >= 0 && position <= q.length + 1
        if (!wellFormed) failures.push(`${status} for ${JSON.stringify(q)}: ${body.slice(0, 200)}`)
      }
    }))
    expect(failures).toEqual([])
    expect([...statuses.keys()].sort()).toEqual([200, 400])
    expect((statuses.get(200) ?? 0) + (statuses.get(400) ?? 0)).toBe(TOTAL)
  }, 300_000)
})
