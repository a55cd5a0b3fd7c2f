import { describe, expect, it } from 'vitest'
import { niceScale, shortCount } from './chart-scale'
import { etaOf, percentDone } from './job-eta'

describe('chart scale', () => {
  it('rounds the maximum up to a nice step', () => {
    expect(niceScale(87)).toEqual({ max: 100, ticks: [0, 20, 40, 60, 80, 100] })
    expect(niceScale(3)).toEqual({ max: 3, ticks: [0, 1, 2, 3] })
    expect(niceScale(1)).toEqual({ max: 1, ticks: [0, 1] })
    expect(niceScale(12_345).max).toBe(15_000)
  })

  it('has an axis even with nothing to show', () => {
    expect(niceScale(0)).toEqual({ max: 1, ticks: [0, 1] })
  })

  it('never puts the maximum below the largest value', () => {
    for (const max of [1, 7, 19, 99, 101, 999, 1001, 54_321]) expect(niceScale(max).max).toBeGreaterThanOrEqual(max)
  })

  it('shortens large counts', () => {
    expect(shortCount(999)).toBe('999')
    expect(shortCount(1234)).toBe('1.2k')
    expect(shortCount(25_600)).toBe('26k')
    expect(shortCount(2_500_000)).toBe('2.5M')
  })
})

describe('job ETA', () => {
  it('picks the unit that reads best', () => {
    expect(etaOf(30, 1)).toEqual({ unit: 'seconds', value: '30' })
    expect(etaOf(600, 1)).toEqual({ unit: 'minutes', value: '10' })
    expect(etaOf(36_000, 2)).toEqual({ unit: 'hours', value: '5.0' })
  })

  it('is unknown without a rate or with nothing left', () => {
    expect(etaOf(10, 0)).toBeUndefined()
    expect(etaOf(0, 5)).toBeUndefined()
  })

  it('counts an empty stage as done', () => {
    expect(percentDone(0, 0)).toBe(100)
    expect(percentDone(1, 3)).toBe(25)
  })
})
