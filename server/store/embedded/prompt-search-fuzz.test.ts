import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/helpers/library'
import { FullTextQueryError } from '../full-text-query-error'
import type { Store } from '../store'
import { openSqliteStore } from './sqlite-store'

const RUNS = 4000

/** Pieces of FTS5 syntax, words of the indexed prompts, column names and odd characters. */
const PIECES = [
  'AND', 'OR', 'NOT', 'NEAR', 'NEAR(', ',', '(', ')', '{', '}', ':', '*', '^', '+', '-', '"', '""', '.', '<', '>', '\\', '\'', '_',
  'prompt', 'negative_prompt', 'negative', 'rank', 'rowid', 'prompt_fts', 'masterpiece', '1girl', 'long', 'hair', 'cat', 'blurry',
  'lora', 'foo', '1.2', '0', '5', '99999999999999999999', '雨', '教室', 'é', '\u0000', '\u001a', '\t', '\n', ' ', '  ', '%', '#', '?',
]

const pieced = fc.array(fc.constantFrom(...PIECES), { maxLength: 14 }).map((parts) => parts.join(''))
const spaced = fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }).map((parts) => parts.join(' '))
const queries = fc.oneof(pieced, spaced, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 30 }))

describe('searchPrompts under random FTS5-ish queries', () => {
  let store: Store

  beforeAll(async () => {
    store = openSqliteStore(tempDir())
    const prompts = ['(masterpiece:1.2), 1girl, long hair, <lora:foo:0.8>', 'cat, cat ears', '雨の街, 教室', 'blurry background']
    for (const [i, prompt] of prompts.entries()) {
      await store.saveImage({
        folder: 'lib', path: `${i}.png`, filename: `${i}.png`, ext: 'png', filesize: 1, mtime: 1, hash: i.toString(16).padStart(16, '0'),
        width: 1, height: 1, format: 'png', animated: false, frames: 1, type: 'other',
        ai: { source: 'a1111', prompt, negativePrompt: 'blurry, lowres', raw: prompt },
      })
    }
  })
  afterAll(() => store.close())

  it(`answers each of ${RUNS} with a ranked page or throws FullTextQueryError, nothing else`, async () => {
    let answered = 0
    let rejected = 0
    await fc.assert(
      fc.asyncProperty(queries, fc.integer({ min: 1, max: 5 }), async (query, limit) => {
        let page
        try {
          page = await store.searchPrompts({ query, limit })
        } catch (error) {
          // Anything but the typed error (an SQLite error passed through, a TypeError) fails the property.
          if (!(error instanceof FullTextQueryError)) throw error
          expect(error.message).not.toBe('')
          expect(error.message).not.toMatch(/^fts5:/)
          rejected++
          return
        }
        expect(page.results.length).toBeLessThanOrEqual(limit)
        expect(page.total).toBeGreaterThanOrEqual(page.results.length)
        const scores = page.results.map((hit) => hit.score)
        expect(scores).toEqual([...scores].sort((a, b) => b - a))
        answered++
      }),
      { numRuns: RUNS },
    )
    // Both outcomes were exercised, so the property said something about each.
    expect(answered).toBeGreaterThan(RUNS / 20)
    expect(rejected).toBeGreaterThan(RUNS / 20)
  })
})
