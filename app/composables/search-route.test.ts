import { describe, expect, it } from 'vitest'
import { queryFromSearch, searchFromQuery } from './search-route'

describe('the search in the URL', () => {
  it('round-trips a search and the open image, leaving empty parts out', () => {
    const search = { q: 'tags.a, width;>=1920', text: 'red hair', sort: 'filesize;1', id: 42 }
    expect(searchFromQuery(queryFromSearch(search))).toEqual(search)
    expect(queryFromSearch({ q: '', text: '', sort: '' })).toEqual({})
  })

  it('reads odd URLs without failing: repeated parameters, a bad id', () => {
    expect(searchFromQuery({ q: ['first', 'second'], id: 'abc' })).toEqual({ q: 'first', text: '', sort: '' })
    expect(searchFromQuery({ q: null, id: '-3' })).toEqual({ q: '', text: '', sort: '' })
  })
})
