export interface ThrottleOptions {
  /** Failures allowed per address within one window. */
  limit: number
  windowMs: number
  /** Addresses remembered at most; the oldest are forgotten first, so memory stays bounded. */
  maxAddresses: number
}

interface Failures {
  count: number
  windowStart: number
}

/**
 * Counts wrong tokens per client address in fixed windows. Once an address reaches the limit it
 * is refused (even with the right token, so guessing cannot go on and learn the answer) until its
 * window ends.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, Failures>()

  constructor(
    private readonly options: ThrottleOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the address may try again, or undefined when it may try now. */
  retryAfter(address: string): number | undefined {
    const entry = this.current(address)
    if (!entry || entry.count < this.options.limit) return undefined
    return Math.max(1, Math.ceil((entry.windowStart + this.options.windowMs - this.now()) / 1000))
  }

  fail(address: string): void {
    const entry = this.current(address) ?? { count: 0, windowStart: this.now() }
    entry.count++
    // Re-inserting keeps the Map in order of last failure, so eviction drops the quietest address.
    this.failures.delete(address)
    this.failures.set(address, entry)
    if (this.failures.size > this.options.maxAddresses) this.evict()
  }

  /** A right token clears this address's failures only. */
  succeed(address: string): void {
    this.failures.delete(address)
  }

  get size(): number {
    return this.failures.size
  }

  private current(address: string): Failures | undefined {
    const entry = this.failures.get(address)
    if (entry && this.now() - entry.windowStart >= this.options.windowMs) {
      this.failures.delete(address)
      return undefined
    }
    return entry
  }

  /** Drops the addresses whose last failure is oldest (the Map's first keys). */
  private evict(): void {
    for (const address of this.failures.keys()) {
      if (this.failures.size <= this.options.maxAddresses) break
      this.failures.delete(address)
    }
  }
}
