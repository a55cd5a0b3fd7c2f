import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErrorRecord, JobsReport } from '../shared/types/api'
import type { SettingsReport } from '../shared/types/settings'
import { launchBrowser, openPage } from './helpers/browser'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { eventually, startServer, type RunningServer } from './helpers/server'

/** What the library looks like from the API: any change a hostile request made shows here. */
interface Snapshot {
  config: string
  folders: string[]
  importStartedAt: number | null
  errors: Array<Pick<ErrorRecord, 'path' | 'at'>>
}

/** A raw HTTP request, so the Host header and the body are exactly what the test says. */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port, pathname, search } = new URL(url)
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, path: pathname + search, method: options.method ?? 'GET', headers: options.headers }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
    })
    request.on('error', reject)
    request.end(options.body)
  })
}

/**
 * Another site's page, as an attacker would write it: plain forms (the only cross-site posts a browser
 * sends without asking) submitted into frames, a text/plain form shaped as JSON, and no-cors fetches.
 */
function attackerPage(target: string, evilFolder: string): string {
  const form = (id: string, action: string, fields: Record<string, string>, enctype = 'application/x-www-form-urlencoded') => `
<iframe name="frame-${id}"></iframe>
<form id="${id}" method="post" enctype="${enctype}" action="${target}${action}" target="frame-${id}">
${Object.entries(fields).map(([name, value]) => `<input type="hidden" name='${name}' value='${value}'>`).join('\n')}
</form>`
  return `<!doctype html><html><body>
${form('folders', '/api/folders', { name: 'evil', path: evilFolder })}
${form('import', '/api/import', {})}
${form('retry', '/api/errors/retry', { folder: 'lib', path: 'broken.png' })}
${form('json-as-text', '/api/folders', { [`{"name":"evil2","path":"${evilFolder}","x":"`]: '"}' }, 'text/plain')}
<script>
for (const form of document.forms) form.submit()
const body = JSON.stringify({ name: 'evil3', path: ${JSON.stringify(evilFolder)} })
Promise.allSettled([
  fetch(${JSON.stringify(`${target}/api/folders`)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body }),
  fetch(${JSON.stringify(`${target}/api/folders`)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=evil4&path=' + encodeURIComponent(${JSON.stringify(evilFolder)}) }),
  fetch(${JSON.stringify(`${target}/api/import`)}, { method: 'POST', mode: 'no-cors' }),
]).then(() => { window.fetchesDone = true })
</script></body></html>`
}

/** The page a DNS-rebinding attacker serves under its own name, once that name resolves to 127.0.0.1. */
const REBINDING_PAGE = `<!doctype html><html><body><script>
async function attempt(path, init) {
  try {
    const response = await fetch(path, init)
    return { status: response.status, body: await response.text() }
  } catch (error) {
    return { status: 0, body: String(error) }
  }
}
Promise.all([
  attempt('/api/search?q='),
  attempt('/api/settings'),
  attempt('/api/folders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'rebound', path: '/' }) }),
]).then((results) => { window.results = results })
</script></body></html>`

describe('requests from other sites and other host names', () => {
  let dir: string
  let configFile: string
  let evilFolder: string
  let server: RunningServer
  let attacker: Server
  let attackerUrl: string
  let browser: Browser

  const json = async <T>(path: string): Promise<T> => (await (await fetch(`${server.url}${path}`)).json()) as T
  const snapshot = async (): Promise<Snapshot> => ({
    config: readFileSync(configFile, 'utf8'),
    folders: (await json<SettingsReport>('/api/settings')).settings.folders.map((folder) => folder.name),
    importStartedAt: (await json<JobsReport>('/api/jobs')).import?.startedAt ?? null,
    errors: (await json<{ errors: ErrorRecord[] }>('/api/errors')).errors.map(({ path, at }) => ({ path, at })),
  })

  beforeAll(async () => {
    dir = tempDir()
    for (let index = 0; index < 3; index++) await writeImage(join(dir, 'lib', `${index}.png`), { color: colorOf(index) })
    writeFileSync(join(dir, 'lib', 'broken.png'), 'not an image')
    evilFolder = join(dir, 'private')
    mkdirSync(evilFolder)
    await writeImage(join(evilFolder, 'secret.png'), { color: colorOf(9) })
    configFile = writeConfig(dir, {
      folders: [{ name: 'lib', path: './lib' }],
      dataDir: './data',
      watch: { rescanMinutes: 0 },
      models: { clip: { enabled: false }, tagger: { enabled: false }, ocr: { enabled: false } },
    })
    server = await startServer(['--config', configFile])
    await eventually(async () => ((await json<JobsReport>('/api/jobs')).import?.running === false ? true : undefined), 60_000, 'the first import to finish')
    expect((await snapshot()).errors.map((error) => error.path)).toEqual(['broken.png'])
    attacker = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      response.end(attackerPage(server.url, evilFolder))
    })
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`
    browser = await launchBrowser([
      '--host-resolver-rules=MAP rebind.test 127.0.0.1',
      // Chromium's Private Network Access would stop the rebound page itself (its first load counts
      // as public); Firefox and Safari have no such check, so the server must not lean on it.
      '--disable-features=BlockInsecurePrivateNetworkRequests,LocalNetworkAccessChecks,PrivateNetworkAccessRespectPreflightResults',
    ])
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => attacker?.close(resolve))
    await server?.stop()
  })

  it('changes nothing when a page of another origin posts forms and no-cors fetches to the server', async () => {
    const before = await snapshot()
    const { context, page } = await openPage(browser)
    // The server's answers as the browser received them (a frame then refuses to show them: X-Frame-Options).
    const answers: Array<{ request: string; status: number }> = []
    page.on('response', (response) => {
      if (response.url().startsWith(server.url)) answers.push({ request: `${response.request().method()} ${response.url()}`, status: response.status() })
    })
    try {
      await page.goto(attackerUrl)
      await page.waitForFunction(() => (window as unknown as { fetchesDone?: boolean }).fetchesDone === true, undefined, { timeout: 30_000 })
      // Four forms and three fetches reached the server.
      await eventually(async () => (answers.length >= 7 ? true : undefined), 30_000, () => `the 7 cross-site requests to be answered (so far: ${JSON.stringify(answers)})`)
    } finally {
      await context.close()
    }
    expect(answers.length).toBe(7)
    for (const answer of answers) expect(answer.status, answer.request).toBe(403)
    // Give a request that slipped through time to act before looking (an import is queued, not awaited).
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const after = await snapshot()
    expect(after.config).toBe(before.config)
    expect(after.folders).toEqual(['lib'])
    expect(after.importStartedAt).toBe(before.importStartedAt)
    expect(after.errors).toEqual(before.errors)
  })

  it('refuses a form-encoded or text body even without browser headers (415), and a foreign Origin (403)', async () => {
    const before = await snapshot()
    const form = await rawRequest(`${server.url}/api/folders`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `name=evil&path=${encodeURIComponent(evilFolder)}` })
    expect(form.status).toBe(415)
    expect(JSON.parse(form.body).error.message).toMatch(/takes only application\/json/)
    const text = await rawRequest(`${server.url}/api/errors/retry`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"folder":"lib","path":"broken.png"}' })
    expect(text.status).toBe(415)
    const noType = await rawRequest(`${server.url}/api/errors/retry`, { method: 'POST', body: '{"folder":"lib","path":"broken.png"}' })
    expect(noType.status).toBe(415)
    const foreign = await rawRequest(`${server.url}/api/import`, { method: 'POST', headers: { origin: 'http://evil.example' } })
    expect(foreign.status).toBe(403)
    expect(JSON.parse(foreign.body).error.message).toMatch(/another origin \(Origin: http:\/\/evil\.example\)/)
    const sameSite = await rawRequest(`${server.url}/api/import`, { method: 'POST', headers: { 'sec-fetch-site': 'same-site' } })
    expect(sameSite.status).toBe(403)
    expect(await snapshot()).toEqual(before)
  })

  it('refuses a page that reaches the server under a rebound name: it reads nothing and changes nothing', async () => {
    const before = await snapshot()
    const port = new URL(server.url).port
    const { context, page } = await openPage(browser)
    try {
      // The attacker's own server answered the first load of rebind.test; then the name came to resolve to 127.0.0.1.
      await page.route(`http://rebind.test:${port}/`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: REBINDING_PAGE }))
      await page.goto(`http://rebind.test:${port}/`)
      const results = await page.waitForFunction(() => (window as unknown as { results?: unknown }).results, undefined, { timeout: 30_000 })
      const answers = await results.jsonValue() as Array<{ status: number; body: string }>
      expect(answers.map((answer) => answer.status), JSON.stringify(answers)).toEqual([421, 421, 421])
      for (const answer of answers) {
        expect(JSON.parse(answer.body).error.message).toMatch(/does not answer for the host "rebind\.test".*server\.allowedHosts/)
        expect(answer.body).not.toMatch(/results|folders/)
      }
    } finally {
      await context.close()
    }
    expect(await snapshot()).toEqual(before)
  })

  it('answers a foreign Host header with 421 and no data, and loopback names and addresses as usual', async () => {
    const port = new URL(server.url).port
    const search = await rawRequest(`${server.url}/api/search?q=`, { headers: { host: `attacker.example:${port}` } })
    expect(search.status).toBe(421)
    expect(search.headers['content-type']).toMatch(/application\/json/)
    expect(JSON.parse(search.body)).toEqual({ error: { message: expect.stringMatching(/"attacker\.example".*server\.allowedHosts/) } })
    const page = await rawRequest(`${server.url}/`, { headers: { host: `attacker.example:${port}`, accept: 'text/html' } })
    expect(page.status).toBe(421)
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `127.0.0.2:${port}`, `LOCALHOST:${port}`, 'localhost']) {
      expect((await rawRequest(`${server.url}/api/health`, { headers: { host } })).status, host).toBe(200)
    }
  })

  it('still takes the web app\'s own same-origin JSON requests', async () => {
    const { context, page } = await openPage(browser)
    try {
      await page.goto(`${server.url}/api/health`)
      const statuses = await page.evaluate(async () => {
        const post = (path: string, body?: unknown) => fetch(path, { method: 'POST', ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) }).then((response) => response.status)
        return {
          search: await post('/api/search', { q: '', limit: 1 }),
          import: await post('/api/import'),
        }
      })
      expect(statuses).toEqual({ search: 200, import: 202 })
    } finally {
      await context.close()
    }
    await eventually(async () => ((await json<JobsReport>('/api/jobs')).import?.running === false ? true : undefined), 60_000, 'the import to finish')
  })
})
