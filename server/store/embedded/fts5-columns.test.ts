import { describe, expect, it } from 'vitest'
import { expandColumnAliases } from './fts5-columns'

describe('expandColumnAliases', () => {
  it.each([
    ['negative: blurry', 'negative_prompt: blurry'],
    ['negative:blurry', 'negative_prompt:blurry'],
    ['Negative \t: blurry', 'negative_prompt \t: blurry'],
    ['"negative": blurry', 'negative_prompt: blurry'],
    ['- negative: blurry', '- negative_prompt: blurry'],
    ['-negative: blurry', '-negative_prompt: blurry'],
    ['{prompt negative}: cat', '{prompt negative_prompt}: cat'],
    ['-{ negative }: cat', '-{ negative_prompt }: cat'],
    ['cat AND negative: (blurry OR lowres)', 'cat AND negative_prompt: (blurry OR lowres)'],
  ])('%j → %j', (query, expected) => {
    expect(expandColumnAliases(query)).toBe(expected)
  })

  it.each([
    'negative',
    'negative prompt',
    '"negative: blurry"',
    '"say ""negative"": x"',
    'negatives: x',
    'nonnegative: x',
    'negative_prompt: x',
    '{prompt}: negative',
    'NEAR(negative x, 2)',
    '"unclosed negative:',
    '教室 negative* ^negative',
  ])('leaves %j as written', (query) => {
    expect(expandColumnAliases(query)).toBe(query)
  })
})
