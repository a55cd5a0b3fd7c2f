import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema, type SagasuConfig } from '../../config/schema'
import { startFerretDb, type FerretDbServer } from '../../test/helpers/ferretdb'
import { startMilvus, type MilvusTestServer } from '../../test/helpers/milvus'
import { freePort } from '../../test/helpers/server'
import { backendHealth } from './backend-health'

function serversConfig(mongo: string, milvus: string, meili?: string): SagasuConfig {
  return configSchema.parse({
    store: { profile: 'servers', servers: { mongodb: { url: mongo }, milvus: { address: milvus }, ...(meili ? { meilisearch: { url: meili } } : {}) } },
  })
}

/** Listens and never says a word: a backend that hangs. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

describe('backendHealth', () => {
  let ferret: FerretDbServer
  let milvus: MilvusTestServer
  /** Meilisearch cannot be installed here: a stand-in answering GET /health as Meilisearch documents it. */
  let meili: HttpServer
  let meiliUrl: string

  beforeAll(async () => {
    const port = await freePort()
    meili = createHttpServer((request, response) => {
      const health = request.method === 'GET' && request.url === '/health'
      response.writeHead(health ? 200 : 404, { 'content-type': 'application/json' })
      response.end(JSON.stringify(health ? { status: 'available' } : { message: 'not found', code: 'not_found', type: 'invalid_request', link: '' }))
    })
    await new Promise<void>((resolve) => meili.listen(port, '127.0.0.1', resolve))
    meiliUrl = `http://127.0.0.1:${port}`
    ;[ferret, milvus] = await Promise.all([startFerretDb(), startMilvus()])
  }, 300_000)

  afterAll(async () => {
    await Promise.all([ferret?.stop(), milvus?.dispose(), new Promise((resolve) => meili?.close(resolve))])
  }, 60_000)

  it('reports SQLite as answering on the embedded profile', async () => {
    expect(await backendHealth(configSchema.parse({}))).toEqual({ sqlite: { ok: true } })
  })

  it('reports every servers-profile backend that answers as ok', async () => {
    expect(await backendHealth(serversConfig(ferret.url, milvus.address, meiliUrl))).toEqual({
      mongodb: { ok: true }, milvus: { ok: true }, meilisearch: { ok: true },
    })
    expect(await backendHealth(serversConfig(ferret.url, milvus.address))).toEqual({ mongodb: { ok: true }, milvus: { ok: true } })
  })

  it('names each backend that refuses the connection, and its address (without credentials)', async () => {
    const [mongoPort, milvusPort, meiliPort] = [await freePort(), await freePort(), await freePort()]
    const health = await backendHealth(serversConfig(`mongodb://user:secret@127.0.0.1:${mongoPort}/`, `127.0.0.1:${milvusPort}`, `http://127.0.0.1:${meiliPort}`))
    expect(health.mongodb).toEqual({ ok: false, reason: expect.stringMatching(new RegExp(`^not answering at mongodb://127\\.0\\.0\\.1:${mongoPort}/: .*ECONNREFUSED`)) })
    expect(JSON.stringify(health)).not.toContain('secret')
    expect(health.milvus).toEqual({ ok: false, reason: expect.stringMatching(new RegExp(`^not answering at 127\\.0\\.0\\.1:${milvusPort}: 14 UNAVAILABLE`)) })
    expect(health.meilisearch).toEqual({ ok: false, reason: expect.stringMatching(new RegExp(`^not answering at http://127\\.0\\.0\\.1:${meiliPort}: .*ECONNREFUSED`)) })
  })

  it('answers with a reason for each backend that accepts the connection and never replies', async () => {
    const silent = await silentServer()
    try {
      const address = `127.0.0.1:${silent.port}`
      const health = await backendHealth(serversConfig(`mongodb://${address}/`, address, `http://${address}`), 500)
      for (const name of ['mongodb', 'milvus', 'meilisearch'] as const) {
        expect(health[name], name).toEqual({ ok: false, reason: expect.stringContaining(address) })
      }
    } finally {
      await silent.close()
    }
  }, 10_000)

  it('gives requests that arrive during a check that check\'s answer', async () => {
    const config = serversConfig(ferret.url, milvus.address)
    const first = backendHealth(config)
    expect(backendHealth(config)).toBe(first)
    await first
    expect(backendHealth(config)).not.toBe(first)
  })

  it('reports Milvus down once it stops, while MongoDB still answers', async () => {
    await milvus.stop()
    const health = await backendHealth(serversConfig(ferret.url, milvus.address))
    expect(health.mongodb).toEqual({ ok: true })
    expect(health.milvus).toEqual({ ok: false, reason: expect.stringContaining(`not answering at ${milvus.address}`) })
  }, 60_000)
})
