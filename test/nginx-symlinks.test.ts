import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { startLinkSwapper } from './helpers/link-swapper'
import { startNginx, type RunningNginx } from './helpers/nginx'
import { freePort, startServer, type RunningServer } from './helpers/server'

function get(base: string, path: string, agent?: Agent): Promise<{ status: number; type: string | undefined; body: Buffer; cut?: boolean }> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    request({ hostname, port, path, agent }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks) }))
      // Cut short: what arrived is still checked.
      res.on('error', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks), cut: true }))
    }).on('error', reject).end()
  })
}

describe('nginx in front of Sagasu, with symbolic links in a folder', () => {
  let dir: string
  let lib: string
  let server: RunningServer
  let nginx: RunningNginx | undefined
  let proxy: string
  let image: Buffer
  let target: Buffer
  const secret = Buffer.from('root:x:0:0:TOP-SECRET-OUTSIDE-THE-FOLDER\n')

  beforeAll(async () => {
    dir = tempDir()
    lib = join(dir, 'lib')
    image = await writeImage(join(dir, 'image.png'), { color: colorOf(1) })
    target = await writeImage(join(lib, 'sub/target.png'), { color: colorOf(2) })
    symlinkSync(join(lib, 'sub/target.png'), join(lib, 'link-in.png'))
    mkdirSync(join(lib, 'race'))
    linkSync(join(dir, 'image.png'), join(lib, 'race/x.png'))
    writeFileSync(join(dir, 'passwd'), secret)
    const port = await freePort()
    const config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', server: { port } })
    // Only files are served: no import, no watcher.
    server = await startServer(['--config', config], { env: { SAGASU_WATCH: 'false' }, waitFor: /Listening/ })
    nginx = await startNginx(config, server.url.replace('http://', ''), dir)
    expect(nginx.rendered.code, nginx.rendered.stderr).toBe(0)
    proxy = nginx.url
  })

  afterAll(async () => {
    await nginx?.stop()
    await server?.stop()
  })

  it('sends a file through a link that stays inside the folder', async () => {
    const answer = await get(proxy, '/files/lib/link-in.png')
    expect(answer.status, nginx!.output()).toBe(200)
    expect(answer.type).toBe('image/png')
    expect(answer.body.equals(target)).toBe(true)
  })

  it('never sends the target of a link swapped in between the app\'s check and nginx\'s open', { timeout: 180_000 }, async () => {
    const race = join(lib, 'race')
    const swapper = await startLinkSwapper(race, 'x.png', join(dir, 'image.png'), join(dir, 'passwd'))
    const agent = new Agent({ keepAlive: true, maxSockets: 8 })
    const statuses = new Map<number, number>()
    const leaks: string[] = []
    try {
      let next = 0
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next++ < 3000) {
          const answer = await get(proxy, '/files/lib/race/x.png', agent)
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
          if (answer.body.includes('TOP-SECRET')) leaks.push(`${answer.status} ${String(answer.type)}`)
          else if (answer.cut) leaks.push(`${answer.status} cut short`)
          else if (answer.status === 200 && !answer.body.equals(image)) leaks.push('200 with other bytes')
          else if (![200, 403, 404].includes(answer.status)) leaks.push(`status ${answer.status}`)
        }
      }))
    } finally {
      await swapper.stop()
      agent.destroy()
    }
    expect(leaks, JSON.stringify([...statuses])).toEqual([])
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0)
    expect(statuses.get(403) ?? 0).toBeGreaterThan(0)
  })
})
