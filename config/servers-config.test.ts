import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { configSchema } from './schema'

describe('store.servers.milvus and store.servers.meilisearch', () => {
  it('defaults Milvus to the local server with HNSW 32/64 and efSearch 64, and no Meilisearch', () => {
    const { store } = configSchema.parse({})
    expect(store.servers.milvus).toEqual({ address: '127.0.0.1:19530', index: { M: 32, efConstruction: 64, efSearch: 64 } })
    expect(store.servers.meilisearch).toBeUndefined()
  })

  it('takes a token, a database, index settings and Meilisearch', () => {
    const { store } = configSchema.parse({ store: { servers: {
      milvus: { address: 'milvus:19530', token: 'root:Milvus', database: 'sagasu', index: { M: 16 } },
      meilisearch: { url: 'http://meilisearch:7700', apiKeyEnv: 'MEILI_MASTER_KEY' },
    } } })
    expect(store.servers.milvus).toEqual({ address: 'milvus:19530', token: 'root:Milvus', database: 'sagasu', index: { M: 16, efConstruction: 64, efSearch: 64 } })
    expect(store.servers.meilisearch).toEqual({ url: 'http://meilisearch:7700', apiKeyEnv: 'MEILI_MASTER_KEY' })
  })

  it('names the key of a bad value', () => {
    const bad = (servers: unknown) => configSchema.safeParse({ store: { servers } }).error?.issues.map((issue) => issue.path.join('.'))
    expect(bad({ milvus: { index: { M: 1000 } } })).toEqual(['store.servers.milvus.index.M'])
    expect(bad({ milvus: { database: 'no spaces' } })).toEqual(['store.servers.milvus.database'])
    expect(bad({ milvus: { index: { ef: 10 } } })).toEqual(['store.servers.milvus.index'])
  })

  it('accepts docker-compose\'s configuration file', () => {
    const file = parse(readFileSync(new URL('./sagasu.docker.yaml', import.meta.url), 'utf8')) as unknown
    const { store } = configSchema.parse(file)
    expect(store.servers.milvus.address).toBe('milvus:19530')
    expect(store.servers.meilisearch?.url).toBe('http://meilisearch:7700')
  })
})
