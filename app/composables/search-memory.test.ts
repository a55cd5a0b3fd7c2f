import { describe, expect, it } from 'vitest'
import { readSearches, remember } from './search-memory'

describe('search history and saved searches', () => {
  it('puts the latest search first, once, and keeps the list short', () => {
    const a = { q: 'tags.a', text: '', sort: '' }
    const b = { q: 'tags.b', text: 'red', sort: 'filesize' }
    expect(remember([a, b], b)).toEqual([b, a])
    expect(remember([], a)).toEqual([a])
    const many = Array.from({ length: 40 }, (_, i) => ({ q: `id;=${i}`, text: '', sort: '' }))
    expect(many.reduce((list, item) => remember(list, item, 30), [] as typeof many)).toHaveLength(30)
  })

  it('reads back what it wrote and ignores anything else under the key', () => {
    const list = [{ q: 'tags.a', text: 'x', sort: 'id;1' }]
    expect(readSearches(JSON.stringify(list))).toEqual(list)
    expect(readSearches(null)).toEqual([])
    expect(readSearches('not json')).toEqual([])
    expect(readSearches('{"q":"a"}')).toEqual([])
    expect(readSearches('[{"q":1},{"q":"b","text":5},null]')).toEqual([{ q: 'b', text: '', sort: '' }])
  })
})
