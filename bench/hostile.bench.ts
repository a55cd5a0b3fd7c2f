// Hostile-input benchmark (issue 18), against a real `sagasu serve` on 127.0.0.1 (nothing else is contacted):
//   (a) query fuzzing: generated queries (valid, malformed, huge, unicode, a 1,000-comparison clause)
//       against the search and dataset routes → status counts; 5xx must be 0;
//   (b) body abuse: oversized chunked bodies, a false Content-Length, slow bodies, in parallel →
//       status counts and the server's RSS (VmRSS) before, at its peak and after;
//   (c) load during import: the import rate of a generated library alone, then under `--clients`
//       concurrent search clients, and the searches' p50/p99 meanwhile.
// Usage: npm run bench:hostile -- [--queries 3000] [--base 1000] [--files 600] [--clients 50] [--body-mib 64]
//        [--bodies 4] [--slow 8] [--slow-seconds 5] [--max-import-seconds 240] [--warm-up-seconds 5] [--work bench/.work] [--out FILE.json]
//        [--phases fuzz,abuse,load]
// Every phase is bounded by counts and deadlines; the run stops by itself. Prints Markdown tables for
// BENCHMARKS.md and writes every figure as JSON (default <work>/hostile-result.json).
import { execFileSync, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request, type ClientRequest } from 'node:http'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { stringify } from 'yaml'
import { seededRandom } from '../shared/seeded-random'
import { startServer as startTestServer, type RunningServer } from '../test/helpers/server'
import { generateSyntheticLibrary } from '../workers/synthetic-library'

const ROOT = join(import.meta.dirname, '..')
const CLI = join(ROOT, 'bin/sagasu.mjs')

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '3000' },
    base: { type: 'string', default: '1000' },
    files: { type: 'string', default: '600' },
    'min-side': { type: 'string', default: '256' },
    'max-side': { type: 'string', default: '640' },
    clients: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '2' },
    'body-mib': { type: 'string', default: '64' },
    bodies: { type: 'string', default: '4' },
    slow: { type: 'string', default: '8' },
    'slow-seconds': { type: 'string', default: '5' },
    'max-import-seconds': { type: 'string', default: '240' },
    /** How long the clients search before the folder is added (their answers do not count). */
    'warm-up-seconds': { type: 'string', default: '5' },
    work: { type: 'string', default: join(import.meta.dirname, '.work') },
    out: { type: 'string' },
    /** Which parts run: fuzz, abuse, load (comma-separated). */
    phases: { type: 'string', default: 'fuzz,abuse,load' },
  },
})
const opt = {
  queries: Number(values.queries), base: Number(values.base), files: Number(values.files),
  minSide: Number(values['min-side']), maxSide: Number(values['max-side']), clients: Number(values.clients),
  concurrency: Number(values.concurrency), bodyMiB: Number(values['body-mib']), bodies: Number(values.bodies),
  slow: Number(values.slow), slowSeconds: Number(values['slow-seconds']), maxImportSeconds: Number(values['max-import-seconds']), warmUpSeconds: Number(values['warm-up-seconds']),
}
const phases = new Set(values.phases.split(',').map((phase) => phase.trim()))
const work = values.work
const out = values.out ?? join(work, 'hostile-result.json')
if (!existsSync(join(ROOT, '.output/server/index.mjs'))) throw new Error('no built app: run `npx nuxt build` first')
const log = (message: string) => process.stderr.write(`${message}\n`)

// ---------------------------------------------------------------- libraries and the base index

async function library(name: string, count: number, seed: number, minSide: number, maxSide: number): Promise<string> {
  const dir = join(work, `hostile-${name}-${count}-${minSide}-${maxSide}`)
  if (existsSync(join(dir, '.complete'))) return dir
  rmSync(dir, { recursive: true, force: true })
  log(`generating ${count} images (${name}) in ${dir}`)
  await generateSyntheticLibrary(dir, { count, seed, minSide, maxSide, formats: ['png', 'jpeg'] })
  writeFileSync(join(dir, '.complete'), '')
  return dir
}

const baseLib = await library('base', opt.base, 31_000, 64, 160)
const incomingLib = await library('incoming', opt.files, 32_000, opt.minSide, opt.maxSide)

interface FolderEntry { name: string; path: string }
function writeServerConfig(dataDir: string, folders: FolderEntry[], watch: boolean): string {
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, 'sagasu.config.yaml')
  writeFileSync(file, stringify({ folders, dataDir, import: { concurrency: opt.concurrency }, watch: { enabled: watch, rescanMinutes: 0 } }))
  return file
}

const env = { ...process.env, SAGASU_CONFIG: '', SAGASU_MODELS: 'none' }
// The index of the base library, imported once by the CLI and copied for every server run.
const template = join(work, `hostile-data-base-${opt.base}`)
if (!existsSync(join(template, '.complete'))) {
  rmSync(template, { recursive: true, force: true })
  const config = writeServerConfig(template, [{ name: 'base', path: baseLib }], false)
  log(`importing the base library into ${template}`)
  execFileSync(process.execPath, [CLI, '--config', config, 'import'], { env, stdio: ['ignore', 'ignore', 'inherit'] })
  writeFileSync(join(template, '.complete'), '')
}
let runNumber = 0
function freshDataDir(): string {
  const dir = join(work, `hostile-run-${process.pid}-${++runNumber}`)
  rmSync(dir, { recursive: true, force: true })
  cpSync(template, dir, { recursive: true })
  rmSync(join(dir, 'sagasu.config.yaml'))
  return dir
}

// ---------------------------------------------------------------- the server

interface Server extends RunningServer { port: number; child: ChildProcess }

/** `sagasu serve` on a free port (test/helpers/server.ts), answering once its health route does. */
async function startServer(config: string, waitFor = /Listening|listening|serving on/): Promise<Server> {
  const server = await startTestServer(['--config', config], { env, waitFor })
  return { ...server, port: Number(new URL(server.url).port), child: server.process }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The server's resident memory now (VmRSS), in MiB. */
function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : Number.NaN
}

/** Samples the RSS every 100 ms until stopped; returns the peak. */
function rssSampler(pid: number): () => number {
  let peak = rssMiB(pid)
  const timer = setInterval(() => {
    try { peak = Math.max(peak, rssMiB(pid)) } catch { /* the process ended */ }
  }, 100)
  return () => {
    clearInterval(timer)
    return peak
  }
}

type Counts = Record<string, number>
const bump = (counts: Counts, key: string | number) => { counts[key] = (counts[key] ?? 0) + 1 }
const fiveXX = (counts: Counts) => Object.entries(counts).filter(([status]) => /^5\d\d$/.test(status)).reduce((sum, [, n]) => sum + n, 0)
const showCounts = (counts: Counts) => Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)).map(([status, n]) => `${status}: ${n.toLocaleString('en-US')}`).join(', ') || '—'

// ---------------------------------------------------------------- (a) query fuzzing

// The same seed gives the same queries on every run.
const random = seededRandom(18_018)
const int = (n: number) => Math.floor(random() * n)
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!

const VALID: ReadonlyArray<() => string> = [
  () => `type;=${pick(['pixiv', 'twitter', 'yandere', 'other'])}`,
  () => `width;>=${int(3000)}`,
  () => `width;>${int(1000)}&<${1000 + int(3000)}`,
  () => `filesize;>${int(1_000_000)}`,
  () => `date;>${2010 + int(16)}-0${1 + int(9)}-01`,
  () => `added;>-${1 + int(60)}d`,
  () => `tags.${pick(['1girl', 'long_hair', 'solo', 'blush'])}${random() < 0.5 ? `;>=0.${int(10)}` : ''}`,
  () => `${pick(['', '|', '!'])}tags1:${pick(['frieren', 'オリジナル', 'sketch'])}:${pick(['東方Project', 'nsfw', 'a'])}`,
  () => `userid;=${int(100_000)}`,
  () => `m;${pick(['東京', 'school', 'ありがとう', 'abc'])}`,
  () => `prompt;${pick(['sunset', 'masterpiece', 'cat'])}`,
  () => `(type;=pixiv | type;=yandere), !animated`,
  () => `textlen;>${int(50)}`,
]
const ALPHABET = 'tags.;:&|!,()"=<>*-~ 0123456789abcxyz\\\''

function unicodeText(length: number): string {
  let text = ''
  for (let i = 0; i < length; i++) {
    const kind = int(6)
    const code = kind === 0 ? int(0x80) // ASCII, NUL and controls included
      : kind === 1 ? 0x3040 + int(0x60) // kana
      : kind === 2 ? 0x4e00 + int(0x5000) // CJK
      : kind === 3 ? 0x1f300 + int(0x300) // emoji (astral)
      : kind === 4 ? 0x300 + int(0x70) // combining marks
      : 0xd800 + int(0x800) // a lone surrogate
    text += String.fromCodePoint(code)
  }
  return text
}

interface FuzzQuery { kind: string; q: string }
function fuzzQuery(i: number): FuzzQuery {
  const slot = i % 20
  if (slot < 8) return { kind: 'valid', q: Array.from({ length: 1 + int(4) }, () => pick(VALID)()).join(random() < 0.8 ? ', ' : ' | ') }
  if (slot < 13) return { kind: 'malformed', q: Array.from({ length: 1 + int(60) }, () => pick([...ALPHABET])).join('') }
  if (slot < 16) return { kind: 'unicode', q: random() < 0.5 ? unicodeText(1 + int(40)) : `m;${unicodeText(1 + int(20))}` }
  if (slot === 16) return { kind: 'huge', q: 'width;>1, '.repeat(400 + int(40)).slice(0, 3990 + int(20)) }
  if (slot === 17) return { kind: 'huge', q: `m;${'あ'.repeat(5000 + int(50_000))}` }
  // The issue's clause: about 1,000 comparisons, within the 4,000-character limit.
  if (slot === 18) return { kind: '1,000 comparisons', q: `width;${Array.from({ length: 1000 }, () => pick(['>1', '<9', '!=5'])).join('&').slice(0, 3990)}` }
  return { kind: '~570 OR clauses', q: Array.from({ length: 571 }, () => `tags.${pick(['a', 'b', 'c'])}`).join('|') }
}

/** A query in a URL; a lone surrogate cannot be percent-encoded as UTF-8, so it goes as raw invalid bytes. */
function urlEncode(text: string): string {
  let encoded = ''
  for (const char of text) {
    const code = char.codePointAt(0)!
    encoded += code >= 0xd800 && code <= 0xdfff ? `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}` : encodeURIComponent(char)
  }
  return encoded
}

/** The message of an error body (ours: `{error: {message}}`; h3's own 500: `{message}`), else the text. */
function messageOf(answer: string): string {
  try {
    const body = JSON.parse(answer) as { error?: { message?: string }; message?: string }
    return body.error?.message ?? body.message ?? answer
  } catch {
    return answer
  }
}

interface FuzzRoute { name: string; send: (url: string, q: string) => Promise<Response> }
const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const ROUTES: FuzzRoute[] = [
  { name: 'GET /api/search', send: (url, q) => fetch(`${url}/api/search?q=${urlEncode(q)}&limit=5`, { signal: AbortSignal.timeout(60_000) }) },
  { name: 'POST /api/search', send: (url, q) => fetch(`${url}/api/search`, { ...json({ q, limit: 5 }), signal: AbortSignal.timeout(60_000) }) },
  { name: 'GET /api/search/explain', send: (url, q) => fetch(`${url}/api/search/explain?q=${urlEncode(q)}`, { signal: AbortSignal.timeout(60_000) }) },
  { name: 'GET /api/dataset/images', send: (url, q) => fetch(`${url}/api/dataset/images?q=${urlEncode(q)}&size=5`, { signal: AbortSignal.timeout(60_000) }) },
  { name: 'GET /api/dataset/images/random', send: (url, q) => fetch(`${url}/api/dataset/images/random?q=${urlEncode(q)}&count=5&seed=1`, { signal: AbortSignal.timeout(60_000) }) },
  { name: 'POST /api/dataset/batches', send: (url, q) => fetch(`${url}/api/dataset/batches`, { ...json({ batch_size: 8, seed: 1, q }), signal: AbortSignal.timeout(60_000) }) },
]

interface FuzzResult {
  requests: number
  seconds: number
  byRoute: Record<string, Counts>
  byKind: Record<string, Counts>
  serverErrors: number
  examples: Array<{ route: string; kind: string; status: string; query: string; answer: string }>
  rssMiB: { before: number; peak: number; after: number }
}

async function queryFuzzing(server: Server): Promise<FuzzResult> {
  const byRoute: Record<string, Counts> = {}
  const byKind: Record<string, Counts> = {}
  const examples: FuzzResult['examples'] = []
  const before = rssMiB(server.child.pid!)
  const peak = rssSampler(server.child.pid!)
  const started = Date.now()
  let next = 0
  const worker = async () => {
    for (let i = next++; i < opt.queries; i = next++) {
      const { kind, q } = fuzzQuery(i)
      // Each block of 20 queries (every kind) goes to one route, so every kind meets every route.
      const route = ROUTES[Math.floor(i / 20) % ROUTES.length]!
      let status: string
      let answer = ''
      try {
        const response = await route.send(server.url, q)
        answer = await response.text()
        status = String(response.status)
      } catch (error) {
        status = (error as Error).name === 'TimeoutError' ? 'timeout' : 'connection error'
        answer = (error as Error).message
      }
      bump(byRoute[route.name] ??= {}, status)
      bump(byKind[kind] ??= {}, status)
      if ((/^5/.test(status) || !/^\d/.test(status)) && examples.length < 8) examples.push({ route: route.name, kind, status, query: q.slice(0, 80), answer: messageOf(answer).slice(0, 160) })
      if ((i + 1) % 500 === 0) log(`  fuzz ${i + 1}/${opt.queries}`)
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
  const seconds = (Date.now() - started) / 1000
  const peakMiB = peak()
  const all = Object.values(byRoute).reduce<Counts>((sum, counts) => {
    for (const [status, n] of Object.entries(counts)) sum[status] = (sum[status] ?? 0) + n
    return sum
  }, {})
  return { requests: opt.queries, seconds, byRoute, byKind, serverErrors: fiveXX(all) + (all.timeout ?? 0) + (all['connection error'] ?? 0), examples, rssMiB: { before, peak: peakMiB, after: rssMiB(server.child.pid!) } }
}

// ---------------------------------------------------------------- (b) body abuse

interface Upload { status: string; sentMiB: number; seconds: number }

/**
 * Sends a body of `mib` MiB (chunked, or with a Content-Length that lies when `declared` is given),
 * stopping as soon as the server answers or drops the connection.
 */
function upload(server: Server, path: string, mib: number, options: { declared?: number; bytesPerTick?: number; tickMs?: number; giveUpMs?: number } = {}): Promise<Upload> {
  return new Promise((resolve) => {
    const started = Date.now()
    let sent = 0
    let settled = false
    const finish = (status: string) => {
      if (settled) return
      settled = true
      clearTimeout(giveUp)
      req.destroy()
      resolve({ status, sentMiB: sent / 2 ** 20, seconds: (Date.now() - started) / 1000 })
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (options.declared !== undefined) headers['content-length'] = String(options.declared)
    const req = request({ host: '127.0.0.1', port: server.port, path, method: 'POST', headers, agent: false })
    const giveUp = setTimeout(() => finish(options.tickMs ? 'no answer (client stopped)' : 'timeout'), options.giveUpMs ?? 120_000)
    req.on('response', (response) => {
      response.resume()
      finish(String(response.statusCode))
    })
    req.on('error', () => finish('connection dropped'))
    const chunk = Buffer.alloc(options.bytesPerTick ?? 2 ** 20, 'a')
    const total = mib * 2 ** 20
    const pump = async () => {
      req.write('{"token":"')
      sent += 10
      while (!settled && sent < total) {
        const ok = req.write(chunk)
        sent += chunk.length
        if (options.tickMs) await sleep(options.tickMs)
        else if (!ok) await drained(req)
      }
      if (!settled) req.end('"}')
    }
    void pump().catch(() => finish('connection dropped'))
  })
}

/** Resolves when the request can take more, or is gone. */
function drained(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done)
      req.off('close', done)
      resolve()
    }
    req.on('drain', done)
    req.on('close', done)
  })
}

interface AbuseResult {
  cases: Array<{ name: string; counts: Counts; sentMiB: number; seconds: number }>
  searchDuringSlowMs: number | null
  rssMiB: { before: number; peak: number; after: number }
}

async function bodyAbuse(server: Server): Promise<AbuseResult> {
  const pid = server.child.pid!
  const before = rssMiB(pid)
  const peak = rssSampler(pid)
  const cases: AbuseResult['cases'] = []
  const runCase = async (name: string, uploads: Array<Promise<Upload>>) => {
    const results = await Promise.all(uploads)
    const counts: Counts = {}
    for (const result of results) bump(counts, result.status)
    cases.push({ name, counts, sentMiB: results.reduce((sum, r) => sum + r.sentMiB, 0), seconds: Math.max(...results.map((r) => r.seconds)) })
    log(`  ${name}: ${showCounts(counts)}`)
  }
  const many = (n: number, make: () => Promise<Upload>) => Array.from({ length: n }, make)
  await runCase(`${opt.bodies} × ${opt.bodyMiB} MiB chunked to POST /api/login`, many(opt.bodies, () => upload(server, '/api/login', opt.bodyMiB)))
  await runCase(`${opt.bodies} × ${opt.bodyMiB} MiB chunked to POST /api/search`, many(opt.bodies, () => upload(server, '/api/search', opt.bodyMiB)))
  await runCase(`${opt.bodies} × ${opt.bodyMiB} MiB chunked, one each to /api/folders, /api/import, /api/dataset/batches, /api/errors/retry`, ['/api/folders', '/api/import', '/api/dataset/batches', '/api/errors/retry'].flatMap((path) => many(Math.max(1, Math.round(opt.bodies / 4)), () => upload(server, path, opt.bodyMiB))))
  await runCase(`${opt.bodies} × Content-Length 1 GiB (1 MiB sent) to POST /api/login`, many(opt.bodies, () => upload(server, '/api/login', 1, { declared: 2 ** 30, giveUpMs: 30_000 })))
  let searchDuringSlowMs: number | null = null
  const slow = runCase(`${opt.slow} slow bodies (16 bytes every 250 ms, client stops after ${opt.slowSeconds} s) to POST /api/search`, many(opt.slow, () => upload(server, '/api/search', 1, { declared: 2 ** 20, bytesPerTick: 16, tickMs: 250, giveUpMs: opt.slowSeconds * 1000 })))
  await sleep(Math.min(1000, (opt.slowSeconds * 1000) / 2))
  const t0 = performance.now()
  if ((await fetch(`${server.url}/api/search?limit=5`).then((r) => r.status, () => 0)) === 200) searchDuringSlowMs = performance.now() - t0
  await slow
  const peakMiB = peak()
  await sleep(2000)
  return { cases, searchDuringSlowMs, rssMiB: { before, peak: peakMiB, after: rssMiB(pid) } }
}

// ---------------------------------------------------------------- (c) load during import

interface ImportRun {
  clients: number
  finished: boolean
  done: number
  total: number
  /** Files indexed per second from the import's start (GET /api/jobs: done, startedAt, finishedAt). */
  rate: number
  seconds: number
  searches: number
  searchStatuses: Counts
  p50Ms: number | null
  p99Ms: number | null
  maxMs: number | null
  /** The same clients on the same server once the import is over: what the machine gives searches alone. */
  afterImport: { seconds: number; searches: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null }
  rssMiB: { before: number; peak: number; after: number }
}

/** p50, p99 and max of latencies (nearest rank). */
function percentiles(latencies: number[]): { p50Ms: number | null; p99Ms: number | null; maxMs: number | null } {
  const sorted = [...latencies].sort((a, b) => a - b)
  const rank = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : null)
  return { p50Ms: rank(0.5), p99Ms: rank(0.99), maxMs: sorted.at(-1) ?? null }
}

const LOAD_QUERIES = ['', 'type;=pixiv', 'width;>=100', 'type;=twitter, width;<400', '(type;=pixiv | type;=yandere)', 'filesize;>10000', 'date;>2020-01-01', '!type;=other, height;>64']
const LOAD_SORTS = ['added;-1', 'width;1', 'date;-1', 'filesize;-1']

interface JobsProgress { import: { running: boolean; done: number; total: number; rate: number; startedAt: number; finishedAt: number | null; counts: Record<string, number> | null; phase: string } | null }

/**
 * A server that has indexed the base library and answered searches for a while (warm: a server just
 * started answers its first requests slowly, which says nothing about the import) is given the
 * incoming folder the way a user adds one (POST /api/folders); its import runs while `clients`
 * search clients ask without pause. Only the searches from the moment the folder is added count.
 */
async function importUnderLoad(clients: number): Promise<ImportRun> {
  const dataDir = freshDataDir()
  const config = writeServerConfig(dataDir, [{ name: 'base', path: baseLib }], true)
  const server = await startServer(config, /library up to date/)
  const pid = server.child.pid!
  const before = rssMiB(pid)
  const peak = rssSampler(pid)
  let stop = false
  let phase: 'warm-up' | 'import' | 'after' = 'warm-up'
  const latencies: number[] = []
  const afterLatencies: number[] = []
  const searchStatuses: Counts = {}
  const client = async (n: number) => {
    for (let i = n; !stop; i += clients) {
      const q = LOAD_QUERIES[i % LOAD_QUERIES.length]!
      const sort = LOAD_SORTS[Math.floor(i / LOAD_QUERIES.length) % LOAD_SORTS.length]!
      const asked = phase
      const t0 = performance.now()
      try {
        const response = await fetch(`${server.url}/api/search?q=${encodeURIComponent(q)}&sort=${encodeURIComponent(sort)}&limit=50`, { signal: AbortSignal.timeout(60_000) })
        await response.arrayBuffer()
        if (!stop && asked === 'import') bump(searchStatuses, response.status)
      } catch {
        if (!stop && asked === 'import') bump(searchStatuses, 'error')
      }
      if (stop || asked === 'warm-up') continue
      ;(asked === 'import' ? latencies : afterLatencies).push(performance.now() - t0)
    }
  }
  const load = Array.from({ length: clients }, (_, n) => client(n))
  let started = Date.now()
  let last: JobsProgress['import'] = null
  let lastAt = started
  let finished = false
  let importSeconds = 0
  let afterSeconds = 0
  let peakMiB: number
  let after: number
  // Whatever happens, the clients, the sampler and the server end, and the copied index goes.
  try {
    if (clients) await sleep(opt.warmUpSeconds * 1000)
    started = Date.now()
    phase = 'import'
    const added = await fetch(`${server.url}/api/folders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'incoming', path: incomingLib }) })
    if (added.status !== 202) throw new Error(`POST /api/folders answered ${added.status}: ${await added.text()}`)
    const deadline = started + opt.maxImportSeconds * 1000
    while (Date.now() < deadline) {
      const jobs = await fetch(`${server.url}/api/jobs`).then((r) => r.json() as Promise<JobsProgress>).catch(() => undefined)
      // The import of the added folder, not the start-up one of the base library.
      if (jobs?.import && jobs.import.startedAt >= started) {
        last = jobs.import
        lastAt = Date.now()
      }
      if (last && !last.running && last.counts) {
        finished = true
        break
      }
      await sleep(250)
    }
    importSeconds = (Date.now() - started) / 1000
    afterSeconds = clients && finished ? Math.min(15, Math.max(3, importSeconds)) : 0
    if (afterSeconds) {
      phase = 'after'
      await sleep(afterSeconds * 1000)
    }
  } finally {
    stop = true
    await Promise.allSettled(load)
    peakMiB = peak()
    after = server.child.exitCode === null && server.child.signalCode === null ? rssMiB(pid) : 0
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  // Files over the whole run (scan and sweep included, short and alike in both runs): the server's own rate
  // starts at its first saved chunk of 64 files, which flatters small runs.
  const elapsed = last ? ((last.finishedAt ?? lastAt) - last.startedAt) / 1000 : 0
  return {
    clients, finished, done: last?.done ?? 0, total: last?.total ?? 0, rate: elapsed > 0 ? (last?.done ?? 0) / elapsed : 0, seconds: importSeconds,
    searches: latencies.length, searchStatuses, ...percentiles(latencies),
    afterImport: { seconds: afterSeconds, searches: afterLatencies.length, ...percentiles(afterLatencies) },
    rssMiB: { before, peak: peakMiB, after },
  }
}

// ---------------------------------------------------------------- run

const load0 = loadavg()[0]!
let fuzz: FuzzResult | undefined
let abuse: AbuseResult | undefined
if (phases.has('fuzz') || phases.has('abuse')) {
  log('(a) query fuzzing and (b) body abuse')
  const abuseDir = freshDataDir()
  const abuseServer = await startServer(writeServerConfig(abuseDir, [{ name: 'base', path: baseLib }], false))
  try {
    if (phases.has('fuzz')) fuzz = await queryFuzzing(abuseServer)
    if (phases.has('abuse')) abuse = await bodyAbuse(abuseServer)
  } finally {
    await abuseServer.stop()
    rmSync(abuseDir, { recursive: true, force: true })
  }
}
let alone: ImportRun | undefined
let loaded: ImportRun | undefined
if (phases.has('load')) {
  log('(c) import without load')
  alone = await importUnderLoad(0)
  log(`  ${alone.done}/${alone.total} files, ${alone.rate.toFixed(1)} files/s`)
  log(`(c) import under ${opt.clients} search clients`)
  loaded = await importUnderLoad(opt.clients)
  log(`  ${loaded.done}/${loaded.total} files, ${loaded.rate.toFixed(1)} files/s, ${loaded.searches} searches`)
}

const share = alone && loaded && alone.rate > 0 ? loaded.rate / alone.rate : 0
const ms = (value: number | null) => (value === null ? '—' : `${value.toFixed(0)} ms`)
const mib = (value: number) => `${value.toFixed(0)} MiB`
const command = `npm run bench:hostile -- --queries ${opt.queries} --base ${opt.base} --files ${opt.files} --min-side ${opt.minSide} --max-side ${opt.maxSide} --clients ${opt.clients} --body-mib ${opt.bodyMiB} --bodies ${opt.bodies} --slow ${opt.slow} --slow-seconds ${opt.slowSeconds} --max-import-seconds ${opt.maxImportSeconds} --warm-up-seconds ${opt.warmUpSeconds}${values.phases === 'fuzz,abuse,load' ? '' : ` --phases ${values.phases}`}`
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${load0.toFixed(2)} at the start`
const importLine = (run: ImportRun) => `${run.done} of ${run.total} files${run.finished ? '' : ` (cut off after ${opt.maxImportSeconds} s)`}`

const fuzzLines = (result: FuzzResult) => [
  `(a) Query fuzzing: ${result.requests.toLocaleString('en-US')} requests in ${result.seconds.toFixed(1)} s, 8 at a time`,
  '',
  '| route | statuses |',
  '|---|---|',
  ...Object.entries(result.byRoute).map(([route, counts]) => `| ${route} | ${showCounts(counts)} |`),
  '',
  '| query kind | statuses |',
  '|---|---|',
  ...Object.entries(result.byKind).map(([kind, counts]) => `| ${kind} | ${showCounts(counts)} |`),
  '',
  `5xx, timeouts and dropped connections: ${result.serverErrors} (target 0); server RSS ${mib(result.rssMiB.before)} before, ${mib(result.rssMiB.peak)} peak, ${mib(result.rssMiB.after)} after`,
  ...result.examples.map((example) => `- ${example.status} from ${example.route} (${example.kind}): \`${example.query.replace(/[`\n]/g, ' ')}\` → ${example.answer.replace(/\s+/g, ' ')}`),
  '',
]
const abuseLines = (result: AbuseResult) => [
  '(b) Body abuse',
  '',
  '| case | statuses | MiB sent | seconds |',
  '|---|---|---:|---:|',
  ...result.cases.map((c) => `| ${c.name} | ${showCounts(c.counts)} | ${c.sentMiB.toFixed(1)} | ${c.seconds.toFixed(1)} |`),
  '',
  `Server RSS: ${mib(result.rssMiB.before)} before, ${mib(result.rssMiB.peak)} peak, ${mib(result.rssMiB.after)} after; a search during the slow bodies: ${ms(result.searchDuringSlowMs)}`,
  '',
]
const loadLines = (unloaded: ImportRun, underLoad: ImportRun) => [
  `(c) Load during import: ${opt.files} new files (${opt.minSide}–${opt.maxSide} px) in a folder added (POST /api/folders) to a warm server holding ${opt.base} indexed ones, import concurrency ${opt.concurrency}; the clients searched for ${opt.warmUpSeconds} s before`,
  '',
  '| run | import | rate | searches | search p50 | search p99 | max | server RSS peak |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
  `| no load | ${importLine(unloaded)} | ${unloaded.rate.toFixed(1)} files/s | — | — | — | — | ${mib(unloaded.rssMiB.peak)} |`,
  `| ${opt.clients} search clients | ${importLine(underLoad)} | ${underLoad.rate.toFixed(1)} files/s | ${underLoad.searches.toLocaleString('en-US')} (${showCounts(underLoad.searchStatuses)}) | ${ms(underLoad.p50Ms)} | ${ms(underLoad.p99Ms)} | ${ms(underLoad.maxMs)} | ${mib(underLoad.rssMiB.peak)} |`,
  ...(underLoad.afterImport.seconds ? [`| the same clients for ${underLoad.afterImport.seconds.toFixed(0)} s after the import | — | — | ${underLoad.afterImport.searches.toLocaleString('en-US')} | ${ms(underLoad.afterImport.p50Ms)} | ${ms(underLoad.afterImport.p99Ms)} | ${ms(underLoad.afterImport.maxMs)} | |`] : []),
  '',
  `Import under load: ${(share * 100).toFixed(0)} % of its unloaded rate (target ≥ 50 %: ${share >= 0.5 ? 'met' : 'not met'}); search p99 ${ms(underLoad.p99Ms)} (target ≤ 500 ms: ${underLoad.p99Ms !== null && underLoad.p99Ms <= 500 ? 'met' : 'not met'})`,
  '',
]

process.stdout.write([
  `Command: \`${command}\``,
  `Machine: ${machine}`,
  '',
  ...(fuzz ? fuzzLines(fuzz) : []),
  ...(abuse ? abuseLines(abuse) : []),
  ...(alone && loaded ? loadLines(alone, loaded) : []),
].join('\n'))

mkdirSync(join(out, '..'), { recursive: true })
writeFileSync(out, `${JSON.stringify({ command, machine, cores: cpus().length, date: new Date().toISOString(), options: opt, fuzz, abuse, importAlone: alone, importLoaded: loaded, importShare: share }, null, 2)}\n`)
log(`wrote ${out}`)
