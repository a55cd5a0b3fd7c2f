/**
 * A pool of at most `size` expensive resources (tesseract workers), created on demand, handed out
 * one user at a time, and all destroyed once the pool has been idle for `idleMs` (models unloaded
 * after `models.idleUnloadSeconds`). A resource reported broken is destroyed instead of reused.
 */
export interface IdlePoolOptions<T> {
  size: number
  idleMs: number
  create: () => Promise<T>
  destroy: (resource: T) => Promise<void>
}

export class IdlePool<T> {
  private readonly idle: T[] = []
  private readonly waiting: Array<(resource: T | null) => void> = []
  private created = 0
  private busy = 0
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly options: IdlePoolOptions<T>) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`pool size must be a whole number ≥ 1, got ${options.size}`)
  }

  /** Resources alive now (busy or idle). */
  get loaded(): number {
    return this.created
  }

  /** Creates resources up to `count` ahead of use, so the first batch does not pay for it. */
  async warm(count = 1): Promise<void> {
    const wanted = Math.max(0, Math.min(count, this.options.size) - this.created)
    await Promise.all(Array.from({ length: wanted }, async () => {
      this.busy++
      let resource: T
      try {
        resource = await this.createOne()
      } catch (error) {
        this.busy--
        throw error
      }
      this.giveBack(resource)
    }))
  }

  /** Runs `work` with a resource; `work` marks it broken through the second argument. */
  async use<R>(work: (resource: T, markBroken: () => void) => Promise<R>): Promise<R> {
    const resource = await this.acquire()
    let broken = false
    try {
      return await work(resource, () => { broken = true })
    } finally {
      if (broken) this.discard(resource)
      else this.giveBack(resource)
    }
  }

  /** Destroys every idle resource now; busy ones go back to the pool and idle out later. */
  async drain(): Promise<void> {
    this.clearTimer()
    const resources = this.idle.splice(0)
    this.created -= resources.length
    await Promise.all(resources.map((resource) => this.options.destroy(resource).catch(() => undefined)))
  }

  private async acquire(): Promise<T> {
    this.clearTimer()
    this.busy++
    const ready = this.idle.pop()
    if (ready !== undefined) return ready
    if (this.created < this.options.size) {
      try {
        return await this.createOne()
      } catch (error) {
        this.busy--
        this.scheduleUnload()
        throw error
      }
    }
    const handed = await new Promise<T | null>((resolve) => this.waiting.push(resolve))
    // null: a resource was discarded while we waited; there is room to create one again.
    if (handed !== null) return handed
    this.busy--
    return this.acquire()
  }

  private async createOne(): Promise<T> {
    this.created++
    try {
      return await this.options.create()
    } catch (error) {
      this.created--
      throw error
    }
  }

  /** Every acquirer (waiters included) counted itself busy, so the giver stops counting here. */
  private giveBack(resource: T): void {
    this.busy--
    const next = this.waiting.shift()
    if (next) {
      next(resource)
      return
    }
    this.idle.push(resource)
    this.scheduleUnload()
  }

  private discard(resource: T): void {
    this.created--
    this.busy--
    void this.options.destroy(resource).catch(() => undefined)
    this.waiting.shift()?.(null)
    this.scheduleUnload()
  }

  private scheduleUnload(): void {
    if (this.busy > 0 || this.idle.length === 0) return
    this.clearTimer()
    this.timer = setTimeout(() => void this.drain(), this.options.idleMs)
    // An idle pool must not keep the process alive.
    this.timer.unref()
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }
}
