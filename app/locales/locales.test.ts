import { describe, expect, it } from 'vitest'
import { en } from './en'
import { ja } from './ja'
import { zh } from './zh'
import { languageFor } from './index'

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix]
  return Object.entries(value).flatMap(([key, inner]) => keys(inner, prefix ? `${prefix}.${key}` : key)).sort()
}

function placeholders(value: unknown): Record<string, string> {
  const result: Record<string, string> = {}
  const walk = (inner: unknown, prefix: string): void => {
    if (typeof inner === 'string') result[prefix] = (inner.match(/\{\d+\}/g) ?? []).sort().join()
    else if (typeof inner === 'object' && inner !== null) for (const [key, next] of Object.entries(inner)) walk(next, prefix ? `${prefix}.${key}` : key)
  }
  walk(value, '')
  return result
}

describe('UI text', () => {
  it('has the same keys in every language', () => {
    expect(keys(ja)).toEqual(keys(en))
    expect(keys(zh)).toEqual(keys(en))
  })

  it('keeps every placeholder of the English text', () => {
    expect(placeholders(ja)).toEqual(placeholders(en))
    expect(placeholders(zh)).toEqual(placeholders(en))
  })

  it('has no empty text', () => {
    for (const messages of [en, ja, zh]) {
      for (const [key, text] of Object.entries(placeholders(messages))) expect(text, key).toBeTypeOf('string')
      expect(JSON.stringify(messages)).not.toContain('""')
    }
  })

  it('starts in the browser language when there is one', () => {
    expect(languageFor(['ja-JP', 'en'])).toBe('ja')
    expect(languageFor(['zh-CN'])).toBe('zhHans')
    expect(languageFor(['zh-TW', 'ja'])).toBe('zhHans')
    expect(languageFor(['fr', 'en-GB'])).toBe('en')
    expect(languageFor(['fr'])).toBe('en')
  })
})
