import { describe, expect, it } from 'vitest'
import { keepsLine } from './line-filter'

describe('keepsLine', () => {
  it('keeps a confident line with a letter or digit, in any script', () => {
    expect(keepsLine('ありがとう!', 0.9, 0.65)).toBe(true)
    expect(keepsLine('2024', 0.7, 0.65)).toBe(true)
    expect(keepsLine('Hello', 0.65, 0.65)).toBe(true)
  })

  it('drops an unsure line and a line of punctuation alone, however sure', () => {
    expect(keepsLine('ありがとう', 0.6, 0.65)).toBe(false)
    expect(keepsLine('-', 1, 0.65)).toBe(false)
    expect(keepsLine('……!!', 0.99, 0.65)).toBe(false)
    expect(keepsLine('', 1, 0.65)).toBe(false)
  })
})
