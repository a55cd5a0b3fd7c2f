import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { MILVUS_PACKAGE } from '../scripts/test-deps/milvus'
import { ROOT } from './helpers/cli'

interface Service {
  image?: string
  build?: unknown
  command?: string | string[]
  environment?: Record<string, string>
  volumes?: string[]
  healthcheck?: { test: string[] }
  depends_on?: Record<string, { condition: string }>
  network_mode?: string
}

const FILE = join(ROOT, 'docker-compose.yml')
const compose = parse(readFileSync(FILE, 'utf8'), { merge: true }) as { services: Record<string, Service> }
const services = compose.services

/** `docker compose` (v2 plugin) or `docker-compose` (v1, Debian's package, installed by npm run test:deps). */
function composeCommand(): string[] | undefined {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(command[0]!, [...command.slice(1), 'version'], { stdio: 'ignore' })
    if (probe.status === 0) return command
  }
  return undefined
}

const command = composeCommand()
if (!command) process.stderr.write('docker-compose.yml: `compose config` check skipped: neither `docker compose` nor `docker-compose` is installed (npm run test:deps installs docker-compose)\n')

describe('docker-compose.yml', () => {
  it.skipIf(!command)('passes `compose config` with the secrets set, and names a missing secret', () => {
    const env = { ...process.env, SAGASU_TOKEN: 'a-long-random-test-token', MEILI_MASTER_KEY: 'a-long-random-master-key' }
    execFileSync(command![0]!, [...command!.slice(1), '-f', FILE, 'config', '-q'], { env, stdio: 'pipe' })
    const missing = spawnSync(command![0]!, [...command!.slice(1), '-f', FILE, 'config', '-q'], { env: { ...env, MEILI_MASTER_KEY: '' }, encoding: 'utf8' })
    expect(missing.status).not.toBe(0)
    expect(missing.stderr).toContain('MEILI_MASTER_KEY')
  })

  it('has MongoDB, Milvus with etcd and MinIO, Meilisearch, nginx, the app and a worker', () => {
    expect(Object.keys(services).sort()).toEqual(['app', 'etcd', 'meilisearch', 'milvus', 'minio', 'mongodb', 'nginx', 'worker'])
    expect(services.app!.command).toEqual(['node', 'bin/sagasu.mjs', 'serve'])
    expect(services.worker!.command).toEqual(['node', 'bin/sagasu.mjs', 'worker'])
    expect(services.milvus!.command).toEqual(['milvus', 'run', 'standalone'])
    expect(services.milvus!.environment).toMatchObject({ ETCD_ENDPOINTS: 'etcd:2379', MINIO_ADDRESS: 'minio:9000' })
  })

  it('pins every image to an exact version', () => {
    for (const [name, service] of Object.entries(services)) {
      const image = service.image!
      expect(image, name).toMatch(/^[\w./-]+:(v?\d+\.\d+\.\d+[\w.-]*|RELEASE\.[\dTZ-]+)$/)
    }
    expect(services.app!.build).toBe('.')
  })

  it('runs the Milvus minor version the Node SDK and the test server are for', () => {
    const sdk = (JSON.parse(readFileSync(join(ROOT, 'node_modules/@zilliz/milvus2-sdk-node/package.json'), 'utf8')) as { version: string }).version
    const minor = (version: string) => version.replace(/^v/, '').split('.').slice(0, 2).join('.')
    const tag = services.milvus!.image!.split(':')[1]!
    expect(minor(tag)).toBe(minor(sdk))
    expect(minor(tag)).toBe(minor(MILVUS_PACKAGE.version))
  })

  it('gives every service a healthcheck, MinIO on its API port, and starts the app and worker after their backends are healthy', () => {
    for (const [name, service] of Object.entries(services)) expect(service.healthcheck?.test.length, name).toBeGreaterThan(0)
    const minioApiPort = /--address ":(\d+)"/.exec(String(services.minio!.command))![1]
    expect(services.minio!.healthcheck!.test.join(' ')).toContain(`localhost:${minioApiPort}/minio/health/live`)
    expect(services.milvus!.healthcheck!.test.join(' ')).toContain('localhost:9091/healthz')
    expect(services.meilisearch!.healthcheck!.test.join(' ')).toContain('localhost:7700/health')
    for (const dependency of ['mongodb', 'milvus', 'meilisearch']) {
      expect(services.app!.depends_on![dependency], dependency).toEqual({ condition: 'service_healthy' })
      expect(services.worker!.depends_on![dependency], dependency).toEqual({ condition: 'service_healthy' })
    }
  })

  it('runs Meilisearch in production mode with its master key from the environment', () => {
    expect(services.meilisearch!.environment).toMatchObject({ MEILI_ENV: 'production' })
    expect(services.meilisearch!.environment!.MEILI_MASTER_KEY).toMatch(/^\$\{MEILI_MASTER_KEY:\?/)
    expect(services.app!.environment!.MEILI_MASTER_KEY).toMatch(/^\$\{MEILI_MASTER_KEY:\?/)
    expect(services.app!.environment!.SAGASU_TOKEN).toMatch(/^\$\{SAGASU_TOKEN:\?/)
  })

  it('puts nginx with the top-level nginx.conf on the app\'s network, where the conf expects the app', () => {
    expect(services.nginx!.volumes).toContain('./nginx.conf:/etc/nginx/nginx.conf:ro')
    expect(services.nginx!.network_mode).toBe('service:app')
    const conf = readFileSync(join(ROOT, 'nginx.conf'), 'utf8')
    expect(conf).toContain('server 127.0.0.1:3000;')
    expect(services.app!.environment!.SAGASU_PORT).toBe('3000')
    const listen = /listen (\d+);/.exec(conf)![1]
    expect((services.app as { ports?: string[] }).ports!.some((port) => port.endsWith(`:${listen}`))).toBe(true)
  })
})
