import { describe, expect, it } from 'vitest'
import { LoginThrottle } from './login-throttle'

describe('LoginThrottle', () => {
  const clock = () => {
    let now = 1_000_000
    return { now: () => now, advance: (ms: number) => (now += ms) }
  }

  it('refuses an address after the limit until its window ends, and tells how long', () => {
    const time = clock()
    const throttle = new LoginThrottle({ limit: 3, windowMs: 60_000, maxAddresses: 100 }, time.now)
    for (let index = 0; index < 3; index++) {
      expect(throttle.retryAfter('a')).toBeUndefined()
      throttle.fail('a')
    }
    expect(throttle.retryAfter('a')).toBe(60)
    time.advance(59_500)
    expect(throttle.retryAfter('a')).toBe(1)
    time.advance(500)
    expect(throttle.retryAfter('a')).toBeUndefined()
  })

  it('keeps addresses apart: one success clears only its own count', () => {
    const throttle = new LoginThrottle({ limit: 2, windowMs: 60_000, maxAddresses: 100 })
    throttle.fail('a')
    throttle.fail('a')
    throttle.fail('b')
    throttle.succeed('b')
    expect(throttle.retryAfter('a')).toBeGreaterThan(0)
    expect(throttle.retryAfter('b')).toBeUndefined()
  })

  it('remembers at most maxAddresses, dropping the quietest first', () => {
    const throttle = new LoginThrottle({ limit: 1, windowMs: 60_000, maxAddresses: 1000 })
    for (let index = 0; index < 50_000; index++) throttle.fail(`10.0.${index >> 8}.${index & 255}`)
    expect(throttle.size).toBe(1000)
    expect(throttle.retryAfter('10.0.0.0')).toBeUndefined()
    expect(throttle.retryAfter(`10.0.${49_999 >> 8}.${49_999 & 255}`)).toBeGreaterThan(0)
  })
})
