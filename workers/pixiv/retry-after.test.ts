import { describe, expect, it } from 'vitest'
import { parseRetryAfter } from './retry-after'

describe('parseRetryAfter', () => {
  const now = Date.UTC(2015, 9, 21, 7, 27, 0)

  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('0', now)).toBe(0)
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000)
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(60_000)
    // A date already past means: now.
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0)
  })

  it('ignores what is neither', () => {
    for (const value of [null, undefined, '', '  ', '1.5', '-3', 'soon', '12abc']) expect(parseRetryAfter(value, now), String(value)).toBeUndefined()
  })
})
