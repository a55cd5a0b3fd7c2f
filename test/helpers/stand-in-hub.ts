import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StandInHub {
  /** `http://127.0.0.1:<port>`, for `models.hubUrl`. */
  url: string
  /** Every request as `METHOD /path`, in order. */
  requests: string[]
  /** While down, every request gets 503. */
  setUp(up: boolean): void
  close(): Promise<void>
}

/**
 * A stand-in for the Hugging Face hub (the tests cannot reach it), answering as it does:
 * `GET|HEAD /<owner>/<name>/resolve/main/<file>` → 200 with the file, 404 "Entry not found"
 * otherwise. `fileFor` maps a repository and a file to the local path served, or undefined.
 */
export async function startStandInHub(fileFor: (repository: string, file: string) => string | undefined): Promise<StandInHub> {
  const requests: string[] = []
  let up = true
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`)
    if (!up) return void response.writeHead(503).end('down')
    const match = /^\/([\w.-]+\/[\w.-]+)\/resolve\/main\/(.+)$/.exec(request.url ?? '')
    const file = match ? fileFor(match[1]!, match[2]!) : undefined
    if (!file) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found')
    void readFile(file).then(
      (body) => {
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
        response.end(request.method === 'HEAD' ? undefined : body)
      },
      () => void response.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found'),
    )
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    setUp: (value) => {
      up = value
    },
    close: () => new Promise((done) => server.close(() => done())),
  }
}
