/**
 * The parser's caps against the stores' limits (issue 18, item 7): queries generated at every cap
 * at once run on a real SQLite store — with and without the memory index — through search, paging,
 * count, explain and the dataset key reader without an error, and their MongoDB filters stay well
 * inside MongoDB's nesting limit of 100; one step past any cap is a QueryError naming the limit,
 * with a position inside the text. SQLite refuses expression trees deeper than 1000 and statements
 * with more than 32,766 parameters; before the caps and the balanced SQL a 1,000-comparison clause
 * failed with "Expression tree is too large".
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImageInput, TagScore } from '../../../shared/types/image'
import { tempDir } from '../../../test/helpers/library'
import { parseQuery, QUERY_LIMITS } from '../../query'
import { explainSearch } from '../../search/explain-search'
import { QueryError } from '../../search/query-error'
import { searchImages } from '../../search/search-images'
import { compileMongoFilter } from '../servers/mongo-filter'
import type { Store } from '../store'
import { openSqliteStore } from './sqlite-store'

const { maxComparisons, maxTextTerms, maxAlternatives, maxDepth, maxClauses, maxTags1Values, maxLength } = QUERY_LIMITS
/** More tag names than SQLite takes parameters in one statement when a wildcard names them all. */
const TAG_COUNT = 300
const IMAGES = 40

function image(i: number): ImageInput {
  return {
    folder: 'lib', path: `${i}.png`, filename: `${i}.png`, ext: 'png', filesize: 1000 + i, mtime: 1_600_000_000_000 + i * 86_400_000, hash: i.toString(16).padStart(16, '0'),
    width: 100 + i, height: 50 + i, format: 'png', animated: i % 5 === 0, frames: 1, type: i % 2 ? 'pixiv' : 'other', userid: String(i % 7),
    tags1: [`v${i % 70}`, `v${(i * 3) % 70}`],
    ai: { source: 'a1111', prompt: `w${i} ab abc girl`, negativePrompt: `w${i % 3} lowres`, seed: i, steps: 20, cfg: 7, sampler: 'Euler a', model: 'm', extra: {}, raw: 'raw' },
  }
}

async function seed(store: Store): Promise<void> {
  const ids = await store.saveImages(Array.from({ length: IMAGES }, (_, i) => image(i)))
  const tags = (i: number): TagScore[] => Array.from({ length: 30 }, (_, k) => ({ name: `t${(i * 7 + k * 11) % TAG_COUNT}`, category: 'general', score: ((i + k) % 10) / 10 }))
  await store.setTagsMany(ids.map((id, i) => ({ id, tags: tags(i) })))
  // Every tag name exists, so `tags.*` and `tags.t*` name all of them.
  await store.setTagsMany([{ id: ids[0]!, tags: Array.from({ length: TAG_COUNT }, (_, k) => ({ name: `t${k}`, category: 'general' as const, score: 0.5 })) }])
  await store.setOcrTexts(ids.map((id, i) => ({ id, text: `ab w${i} 雨の日 sign` })))
}

// --- generators: a part of a query that sits exactly at one cap ---

const op = fc.constantFrom('<', '<=', '>', '>=', '=', '!=')
const repeat = <T>(arbitrary: fc.Arbitrary<T>, n: number) => fc.array(arbitrary, { minLength: n, maxLength: n })

const compareAtCap = fc.oneof(
  fc.tuple(fc.constantFrom('width', 'filesize', 'seed', 'views'), repeat(fc.tuple(op, fc.integer({ min: -5, max: 2000 })), maxComparisons))
    .map(([field, parts]) => `${field};${parts.map(([o, v]) => `${o}${v}`).join('&')}`),
  fc.tuple(fc.constantFrom('date', 'mtime', 'added'), repeat(fc.tuple(op, fc.constantFrom('2020', '2020-09', '2020-09-14', '-30d', 'now')), maxComparisons))
    .map(([field, parts]) => `${field};${parts.map(([o, v]) => `${o}${v}`).join('&')}`),
  repeat(fc.tuple(fc.constantFrom('=', '!='), fc.boolean()), maxComparisons).map((parts) => `animated;${parts.map(([o, v]) => `${o}${v}`).join('&')}`),
  repeat(fc.tuple(op, fc.integer({ min: 0, max: 9 })), maxComparisons).map((parts) => `userid;${parts.map(([o, v]) => `${o}"${v}"`).join('&')}`),
)

const tagAtCap = fc.tuple(fc.constantFrom('t*', '*', 't1', 't1*', 'missing*'), repeat(fc.tuple(op, fc.constantFrom(0, 0.25, 0.5, 1)), maxComparisons))
  .map(([name, parts]) => `tags.${name};${parts.map(([o, v]) => `${o}${v}`).join('&')}`)

// Sibling tags1 clauses of one mode merge into one node, which holds at most maxTags1Values values.
const tags1AtCap = fc.constantFrom('', '|', '!').map((prefix) => `(${Array.from({ length: maxTags1Values }, (_, i) => `${prefix}tags1:v${i}`).join(', ')})`)

const textAtCap = fc.tuple(fc.constantFrom('m', 'mt', 'prompt', 'negative'), repeat(fc.constantFrom('ab', 'w1', 'abc', 'girl', '雨', 'sign', 'nothing'), maxTextTerms))
  .map(([prefix, words]) => `${prefix};${words.join(' ')}`)

const smallLeaf = fc.constantFrom('tags.t*', 'tags.t3;>0.2', 'width;>120', '!tags1:v1', 'm;ab', 'prompt;abc', 'animated', 'date;!=2020-09')
const orAtCap = repeat(smallLeaf, maxAlternatives).map((alternatives) => `(${alternatives.join(' | ')})`)

/** `maxDepth` levels of `!` and `(` around a part. */
const deepAtCap = fc.tuple(repeat(fc.boolean(), maxDepth), fc.oneof(smallLeaf, compareAtCap, tagAtCap)).map(([levels, inner]) =>
  levels.reduceRight((text, bang) => (bang ? `!${text}` : `(${text} | tags.t2)`), inner))

const partAtCap = fc.oneof(compareAtCap, tagAtCap, tags1AtCap, textAtCap, orAtCap, deepAtCap)

/** `maxClauses` clauses: wildcards that name every tag, comparisons, text. */
const clausesAtCap = repeat(fc.constantFrom('tags.*', 'tags.t*;>0.1', 'width;>1&<999', 'm;ab', '(|tags1:v1)', 'tags.t9'), maxClauses).map((clauses) => clauses.join(','))

/** Two parts at the tags1 cap of one mode merge past it: such a query is one step past a cap, not at it. */
const pastTags1Cap = (text: string) => {
  const parsed = parseQuery(text)
  return !parsed.ok && parsed.error.message === `more than ${maxTags1Values} tags1 values`
}

const queryAtCaps = fc.oneof({ weight: 1, arbitrary: clausesAtCap }, { weight: 4, arbitrary: fc.array(partAtCap, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(', ')) })
  .filter((text) => text.length <= maxLength && !pastTags1Cap(text))

/** How deeply a MongoDB filter nests documents and arrays. */
function nesting(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(nesting))
  if (value !== null && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(nesting))
  return 0
}

async function runEverywhere(store: Store, text: string): Promise<void> {
  const parsed = parseQuery(text)
  if (!parsed.ok) throw new Error(`${text.slice(0, 200)}… does not parse: ${parsed.error.message}`)
  const first = await searchImages(store, { query: text, sort: 'width;1, date', limit: 3 })
  if (first.nextCursor) await searchImages(store, { query: text, sort: 'width;1, date', limit: 3, cursor: first.nextCursor })
  const total = await store.count(parsed.value)
  expect(total).toBe(first.total)
  await explainSearch(store, text, 'filesize')
  let keys = 0
  for await (const chunk of store.matchingImageKeys(parsed.value)) keys += chunk.length
  expect(keys).toBe(total)
  expect(nesting(compileMongoFilter(parsed.value, { tagNamesMatching: () => Array.from({ length: TAG_COUNT }, (_, k) => `t${k}`) }))).toBeLessThanOrEqual(60)
}

describe('queries at the caps run on a real SQLite store', () => {
  const stores: Array<[string, Store]> = []

  beforeAll(async () => {
    stores.push(['SQL only', openSqliteStore(tempDir())], ['with the memory index', openSqliteStore(tempDir(), { memoryIndex: true })])
    for (const [, store] of stores) {
      await seed(store)
      await store.warmUp()
    }
  })
  afterAll(async () => {
    for (const [, store] of stores) await store.close()
  })

  // Generous: a 256-clause query takes a few hundred ms on 40 images, and the machine may be busy.
  it('the worst shapes by hand: every clause a wildcard naming 300 tags, the deepest nesting, the longest lists', { timeout: 240_000 }, async () => {
    const worst = [
      Array.from({ length: maxClauses }, () => 'tags.*').join(','),
      Array.from({ length: maxClauses }, () => 'tags.t*;>0').join(','),
      `${'!('.repeat(maxDepth / 2)}${Array.from({ length: maxAlternatives }, () => 'tags.t*;>0.1&<0.9').join('|')}${')'.repeat(maxDepth / 2)}`,
      `width;${Array.from({ length: maxComparisons }, (_, i) => `>${i}`).join('&')}, m;${Array.from({ length: maxTextTerms }, (_, i) => `w${i}`).join(' ')}`,
    ]
    for (const text of worst) {
      expect(text.length).toBeLessThanOrEqual(maxLength)
      for (const [, store] of stores) await runEverywhere(store, text)
    }
  })

  it('generated queries at every cap (60 each store)', { timeout: 240_000 }, async () => {
    for (const [name, store] of stores) {
      await fc.assert(fc.asyncProperty(queryAtCaps, async (text) => {
        try {
          await runEverywhere(store, text)
        } catch (error) {
          throw new Error(`${name}: ${text.slice(0, 300)}: ${error instanceof Error ? error.message : String(error)}`)
        }
      }), { numRuns: 60, seed: 20261206 })
    }
  })
})

// --- one step past a cap ---

const pastCap: fc.Arbitrary<{ text: string; limit: string }> = fc.oneof(
  fc.integer({ min: 1, max: 1000 }).map((extra) => ({
    text: `width;${'>1&'.repeat(maxComparisons + extra - 1)}>1`,
    limit: `more than ${maxComparisons} comparisons in one clause`,
  })),
  fc.tuple(fc.constantFrom('m', 'mt', 'prompt', 'negative'), fc.integer({ min: 1, max: 100 })).map(([prefix, extra]) => ({
    text: `${prefix};${Array.from({ length: maxTextTerms + extra }, (_, i) => `w${i}`).join(' ')}`,
    limit: `more than ${maxTextTerms} words in one ${prefix}; clause`,
  })),
  fc.integer({ min: 1, max: 100 }).map((extra) => ({
    text: `(${Array.from({ length: maxAlternatives + extra }, () => 'tags.a').join('|')})`,
    limit: `more than ${maxAlternatives} alternatives joined by "|"`,
  })),
  fc.tuple(fc.integer({ min: 1, max: 50 }), fc.boolean()).map(([extra, bang]) => ({
    text: bang ? `${'!'.repeat(maxDepth + extra)}tags.a` : `${'('.repeat(maxDepth + extra)}tags.a${')'.repeat(maxDepth + extra)}`,
    limit: `more than ${maxDepth} levels of parentheses and "!"`,
  })),
  fc.integer({ min: 1, max: 100 }).map((extra) => ({
    text: Array.from({ length: maxClauses + extra }, () => 'tags.a').join(','),
    limit: `more than ${maxClauses} clauses`,
  })),
  // A tags1 clause holds one value; the sibling clauses of one mode merge, and that merge is capped.
  fc.tuple(fc.integer({ min: 1, max: 100 }), fc.constantFrom('', '|', '!')).map(([extra, prefix]) => ({
    text: Array.from({ length: maxTags1Values + extra }, (_, i) => `${prefix}tags1:v${i}`).join(', '),
    limit: `more than ${maxTags1Values} tags1 values`,
  })),
)

/** Other clauses before the one past its cap, so the position must point into the middle. */
const withContext = fc.tuple(fc.array(smallLeaf, { maxLength: 3 }), pastCap).map(([before, past]) => ({
  ...past,
  text: [...before, past.text].join(', '),
  start: before.length ? before.join(', ').length + 2 : 0,
})).filter(({ text }) => text.length <= maxLength)

describe('queries past a cap are refused with the limit named', () => {
  it('as a QueryError with the limit and a position in the offending clause (500 generated)', async () => {
    const store = openSqliteStore(tempDir())
    try {
      await fc.assert(fc.asyncProperty(withContext, async ({ text, limit, start }) => {
        const parsed = parseQuery(text)
        expect(parsed.ok).toBe(false)
        if (parsed.ok) return
        expect(parsed.error.message).toBe(limit)
        expect(parsed.error.position).toBeGreaterThanOrEqual(start)
        expect(parsed.error.position).toBeLessThanOrEqual(text.length)
        expect(parsed.error.hint).toBeTruthy()
        const refused = await searchImages(store, { query: text }).then(() => undefined, (error: unknown) => error)
        expect(refused).toBeInstanceOf(QueryError)
        expect((refused as QueryError).message).toBe(limit)
      }), { numRuns: 500, seed: 20261207 })
    } finally {
      await store.close()
    }
  })
})
