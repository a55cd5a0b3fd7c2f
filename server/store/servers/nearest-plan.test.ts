import { describe, expect, it } from 'vitest'
import { parseQuery } from '../../query'
import { filterWay, firstFetch, MAX_FETCH, MAX_ID_FILTER, nextFetch, planNearest } from './nearest-plan'

const query = (text: string) => {
  const parsed = parseQuery(text, { now: 0 })
  if (!parsed.ok) throw new Error(parsed.error.message)
  return parsed.value
}

describe('vector search planning (servers profile)', () => {
  it('filters by ids up to MAX_ID_FILTER matches, over-fetches past it, and skips the search for none', () => {
    expect(filterWay(0)).toBe('none')
    expect(filterWay(1)).toBe('ids')
    expect(filterWay(MAX_ID_FILTER)).toBe('ids')
    expect(filterWay(MAX_ID_FILTER + 1)).toBe('overfetch')
  })

  it('prefers the vector index\'s own filter, and needs none without clauses', async () => {
    const counted: string[] = []
    const deps = {
      filterFor: (q: ReturnType<typeof query>) => (q.children.every((child) => child.type === 'compare') ? 'width >= 1920' : undefined),
      count: async () => { counted.push('count'); return 3 },
      ids: async () => [4, 5, 6],
    }
    expect(await planNearest(undefined, deps)).toEqual({ kind: 'unfiltered' })
    expect(await planNearest(query(''), deps)).toEqual({ kind: 'unfiltered' })
    expect(await planNearest(query('width;>=1920'), deps)).toEqual({ kind: 'filter', filter: { kind: 'expr', expr: 'width >= 1920' } })
    expect(counted).toEqual([])
    expect(await planNearest(query('tags.long_hair'), deps)).toEqual({ kind: 'filter', filter: { kind: 'ids', ids: [4, 5, 6] } })
  })

  it('grows the over-fetch until k are confirmed, the index runs dry, or every vector was seen', () => {
    expect(firstFetch(1)).toBe(64)
    expect(firstFetch(100)).toBe(400)
    expect(firstFetch(10_000)).toBe(MAX_FETCH)
    expect(nextFetch({ k: 10, fetched: 64, candidates: 64, confirmed: 3, vectors: 1_000_000 })).toBe(128)
    expect(nextFetch({ k: 10, fetched: 64, candidates: 64, confirmed: 10, vectors: 1_000_000 })).toBeUndefined()
    expect(nextFetch({ k: 10, fetched: 64, candidates: 40, confirmed: 3, vectors: 1_000_000 })).toBeUndefined()
    expect(nextFetch({ k: 10, fetched: 64, candidates: 64, confirmed: 3, vectors: 100 })).toBe(100)
    expect(nextFetch({ k: 10, fetched: 100, candidates: 100, confirmed: 3, vectors: 100 })).toBeUndefined()
    expect(nextFetch({ k: 10, fetched: MAX_FETCH, candidates: MAX_FETCH, confirmed: 3, vectors: 10_000_000 })).toBeUndefined()
    expect(nextFetch({ k: 10, fetched: 12_000, candidates: 12_000, confirmed: 3, vectors: 10_000_000 })).toBe(MAX_FETCH)
  })
})
