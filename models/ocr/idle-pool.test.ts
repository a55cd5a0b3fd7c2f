import { describe, expect, it, vi } from 'vitest'
import { IdlePool } from './idle-pool'

function counterPool(size: number, idleMs = 60_000) {
  const destroyed: number[] = []
  let made = 0
  const pool = new IdlePool<number>({ size, idleMs, create: async () => ++made, destroy: async (n) => { destroyed.push(n) } })
  return { pool, destroyed, made: () => made }
}

describe('IdlePool', () => {
  it('creates resources on demand up to its size and reuses them', async () => {
    const { pool, made } = counterPool(2)
    const seen = new Set<number>()
    let inUse = 0
    let most = 0
    await Promise.all(Array.from({ length: 6 }, () => pool.use(async (n) => {
      inUse++
      most = Math.max(most, inUse)
      seen.add(n)
      await new Promise((resolve) => setImmediate(resolve))
      inUse--
    })))
    expect(made()).toBe(2)
    expect(most).toBe(2)
    expect([...seen].sort()).toEqual([1, 2])
    expect(pool.loaded).toBe(2)
    await pool.drain()
    expect(pool.loaded).toBe(0)
  })

  it('replaces a resource marked broken', async () => {
    const { pool, destroyed, made } = counterPool(1)
    await pool.use(async (_n, markBroken) => markBroken())
    expect(destroyed).toEqual([1])
    expect(await pool.use(async (n) => n)).toBe(2)
    expect(made()).toBe(2)
  })

  it('destroys everything after the idle time, and creates again afterwards', async () => {
    const { pool, destroyed } = counterPool(1, 50)
    await pool.warm()
    expect(pool.loaded).toBe(1)
    await vi.waitFor(() => expect(destroyed).toEqual([1]), { timeout: 5_000, interval: 20 })
    expect(pool.loaded).toBe(0)
    expect(await pool.use(async (n) => n)).toBe(2)
    await pool.drain()
  })

  it('does not unload while a resource is in use', async () => {
    const { pool, destroyed } = counterPool(1, 10)
    await pool.use(async () => new Promise((resolve) => setTimeout(resolve, 100)))
    expect(destroyed).toEqual([])
    await pool.drain()
  })

  it('passes a creation failure to the caller and stays usable', async () => {
    let fail = true
    const pool = new IdlePool<string>({ size: 1, idleMs: 1_000, create: async () => { if (fail) throw new Error('no model'); return 'ok' }, destroy: async () => undefined })
    await expect(pool.use(async (r) => r)).rejects.toThrow('no model')
    fail = false
    expect(await pool.use(async (r) => r)).toBe('ok')
    await pool.drain()
  })
})
