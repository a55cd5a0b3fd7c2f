import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImageInput, SourceType } from '../../../../shared/types/image'
import { tempDir } from '../../../../test/helpers/library'
import { parseQuery, parseSort } from '../../../query'
import type { SortCursor, Store } from '../../store'
import { openSqliteStore } from '../sqlite-store'
import { Bitset } from './bitset'
import { asciiLower } from './memory-index'
import { Postings } from './postings'
import { ScoreColumn } from './score-column'
import { TextColumn } from './text-column'

const ids = fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 400 })

describe('Bitset', () => {
  it('agrees with a Set for and, or, andNot, count and ids, whatever the lengths', () => {
    fc.assert(fc.property(ids, ids, fc.integer({ min: 1, max: 6000 }), (a, b, bits) => {
      const [x, y] = [new Set(a), new Set(b)]
      const set = (values: number[]) => Bitset.fromIds(values, bits)
      expect([...set(a).and(set(b)).ids()]).toEqual([...x].filter((v) => y.has(v)).sort((p, q) => p - q))
      expect([...set(a).or(set(b)).ids()]).toEqual([...new Set([...x, ...y])].sort((p, q) => p - q))
      expect([...set(a).andNot(set(b)).ids()]).toEqual([...x].filter((v) => !y.has(v)).sort((p, q) => p - q))
      expect(set(a).count()).toBe(x.size)
    }))
  })
})

describe('Postings', () => {
  it('agree with a Set through adds and deletes, sparse or dense, before and after folding', () => {
    const edits = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { maxLength: 3000 })
    fc.assert(fc.property(ids, edits, fc.constantFrom(100, 6000, 100_000), (initial, changes, range) => {
      const sorted = Int32Array.from(new Set(initial)).sort()
      const postings = new Postings(sorted, range)
      const reference = new Set(sorted)
      for (const [add, id] of changes) {
        if (add) {
          postings.add(id)
          reference.add(id)
        } else {
          postings.delete(id)
          reference.delete(id)
        }
      }
      expect(postings.size).toBe(reference.size)
      expect([...postings.toBitset(range).ids()]).toEqual([...reference].sort((p, q) => p - q))
    }), { numRuns: 60 })
  })
})

describe('ScoreColumn', () => {
  it('agrees with a Map for thresholds and score order through adds and deletes, before and after folding', () => {
    const score = fc.constantFrom(0, 0.25, 0.5, 0.9, 0.9000001, 1, 0.35, 0.75)
    const edits = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 }), score), { maxLength: 3000 })
    const ops = fc.constantFrom('<', '<=', '>', '>=', '=', '!=' as const)
    const comparison = fc.tuple(ops, score).map(([op, value]) => ({ op, value: { kind: 'number' as const, value }, span: { start: 0, end: 0 } }))
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), score), { maxLength: 400 }), edits, fc.array(comparison, { minLength: 1, maxLength: 2 }), (initial, changes, comparisons) => {
      const reference = new Map(initial)
      const column = new ScoreColumn([...reference.keys()], [...reference.values()])
      for (const [add, id, value] of changes) {
        if (add) {
          column.add(id, value)
          reference.set(id, value)
        } else {
          column.delete(id)
          reference.delete(id)
        }
      }
      const holds = (value: number) => comparisons.every(({ op, value: { value: bound } }) =>
        op === '<' ? value < bound : op === '<=' ? value <= bound : op === '>' ? value > bound : op === '>=' ? value >= bound : op === '=' ? value === bound : value !== bound)
      const found = Bitset.empty(3001)
      column.addMatches(comparisons, found)
      expect([...found.ids()]).toEqual([...reference].filter(([, value]) => holds(value)).map(([id]) => id).sort((p, q) => p - q))
      const byScore = (direction: 1 | -1) => [...reference].sort(([i, a], [j, b]) => direction * (a - b) || j - i)
      expect([...column.ordered(-1)]).toEqual(byScore(-1))
      expect([...column.ordered(1)]).toEqual(byScore(1))
    }), { numRuns: 60 })
  })
})

describe('TextColumn', () => {
  it('finds the images whose text contains a term, across text boundaries never', () => {
    const column = new TextColumn()
    const texts = ['abc', 'bcd', '', 'xxabcxx', '東京タワー', 'c', 'ab']
    texts.forEach((text, id) => column.set(id, text))
    const find = (needle: string) => {
      const found = Bitset.empty(10)
      column.addMatches(needle, found)
      return [...found.ids()]
    }
    expect(find('abc')).toEqual([0, 3])
    expect(find('bc')).toEqual([0, 1, 3])
    expect(find('cab')).toEqual([]) // 'c' then 'ab' are two texts
    expect(find('東京')).toEqual([4])
    expect(find('\u0000')).toEqual([])
    column.delete(0)
    column.set(9, 'zabcz')
    expect(find('abc')).toEqual([3, 9])
  })

  it('lower-cases ASCII letters only, as SQLite lower() does', () => {
    expect(asciiLower('CAFÉ Äpfel ＳＡＬＥ Tokyo')).toBe('cafÉ Äpfel ＳＡＬＥ tokyo')
  })
})

/**
 * The pages a store with the memory index reads (walking the sort index with the index's matches,
 * or reading a small result back by id) must be those of the plain SQL store, page after page.
 */
describe('pages read with the memory index', () => {
  let memory: Store
  let plain: Store
  const COUNT = 3000

  beforeAll(async () => {
    const dir = tempDir('sagasu-memory-index-')
    memory = openSqliteStore(dir, { memoryIndex: true })
    await memory.warmUp()
    const types: SourceType[] = ['pixiv', 'twitter', 'yandere', 'other']
    for (let k = 0; k < COUNT; k++) {
      const input: ImageInput = {
        folder: 'lib', path: `${k}.png`, filename: `${k}.png`, ext: 'png', filesize: (k * 7919) % 100_000, mtime: k, hash: k.toString(16).padStart(16, '0'),
        width: 100 + (k % 50), height: 100, format: 'png', animated: false, frames: 1, type: types[k % 4]!,
        ...(k % 3 === 0 ? { tags1: ['オリジナル', k % 2 ? 'odd' : 'even'] } : {}),
      }
      const id = await memory.saveImage(input)
      await memory.setTags(id, [
        { name: 'common', category: 'general', score: 0.5 + (k % 50) / 100 },
        ...(k % 1000 === 7 ? [{ name: 'rare', category: 'general' as const, score: 0.9 }] : []),
        ...(k % 10 === 0 ? [{ name: 'tenth', category: 'general' as const, score: 0.6 }] : []),
      ])
      if (k % 5 === 0) await memory.setOcrText(id, k % 2 ? 'Tokyo 東京' : 'Osaka')
    }
    plain = openSqliteStore(dir)
  })
  afterAll(async () => {
    await memory?.close()
    await plain?.close()
  })

  const cases: Array<[string, string]> = [
    ['tags.rare', ''], ['tags.rare', 'filesize;1'], ['tags.common', ''], ['tags.common, !tags.tenth', 'filesize;-1'],
    ['tags.tenth, type;=twitter', 'width;1,filesize'], ['m;東京', 'added'], ['(tags.rare | m;osaka)', 'filesize'],
    ['|tags1:odd, |tags1:even, !type;=pixiv', ''], ['tags.*e*', 'mtime;1'], ['tags.tenth', 'seed'],
    // Score thresholds and the sort by a tag's score come from the index's score columns (issue 19).
    ['tags.common;>=0.9', 'tags.common;-1'], ['tags.common;>0.6&<=0.75', ''], ['', 'tags.common;-1'], ['', 'tags.tenth;1'],
    ['tags.tenth', 'tags.common;1'], ['!tags.tenth, tags.common;<0.6', 'tags.tenth'], ['m;東京', 'tags.rare;-1'], ['tags.*e*;>=0.6', 'tags.rare;1'],
  ]
  it.each(cases)('%s sorted %s', async (text, sortText) => {
    const query = parseQuery(text)
    const sort = parseSort(sortText || 'added')
    if (!query.ok || !sort.ok) throw new Error('case does not parse')
    if (text) expect((memory.compile(query.value, sort.value).text as { total: string }).total).toBe('memory index')
    const walk = async (store: Store, limit: number) => {
      const seen: number[] = []
      let after: SortCursor | undefined
      let total = -1
      for (let pages = 0; pages < COUNT; pages++) {
        const page = await store.search({ query: query.value, sort: sort.value, limit, ...(after ? { after } : {}) })
        total = page.total
        seen.push(...page.results.map((image) => image.id))
        if (!page.next) break
        after = page.next
      }
      return { total, seen }
    }
    for (const limit of [7, 50]) {
      const [a, b] = [await walk(memory, limit), await walk(plain, limit)]
      expect(a.total).toBe(b.total)
      expect(a.seen).toEqual(b.seen)
      expect(a.seen).toHaveLength(a.total)
    }
  })
})
