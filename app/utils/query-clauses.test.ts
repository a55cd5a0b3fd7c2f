import { describe, expect, it } from 'vitest'
import { addClause, clauseFor, highlight, removeClause, replaceRanking, splitClauses, tagFragment } from './query-clauses'
import { parseQuery } from '../../server/query/parser'

describe('query clauses for the search bar', () => {
  it('splits where the parser splits, keeping a comma inside a tag name', () => {
    expect(splitClauses('tags.long_hair, width;>=1920').map((clause) => clause.text)).toEqual(['tags.long_hair', 'width;>=1920'])
    expect(splitClauses('(tags.a | tags.b), !animated').map((clause) => clause.text)).toEqual(['(tags.a | tags.b)', '!animated'])
    expect(splitClauses('m;"a, b", type;=pixiv').map((clause) => clause.text)).toEqual(['m;"a, b"', 'type;=pixiv'])
    expect(splitClauses('')).toEqual([])
  })

  it('gives each merged tags1 clause its own chip, and colours a tags1 value with colons as one value (issue 19)', () => {
    expect(splitClauses('|tags1:オリジナル, tags.x, |tags1:original').map((clause) => clause.text)).toEqual(['|tags1:オリジナル', 'tags.x', '|tags1:original'])
    expect(splitClauses('tags1:a, tags1:b').map((clause) => clause.text)).toEqual(['tags1:a', 'tags1:b'])
    expect(highlight('tags1:Re:ゼロ').map((segment) => segment.role)).toEqual(['field', 'punct', 'value', 'punct', 'value'])
  })

  it('puts ranking clauses in their place among the filters', () => {
    expect(splitClauses('width;>1, similar:3').map((clause) => clause.text)).toEqual(['width;>1', 'similar:3'])
  })

  it('marks the clause that holds the parse error, with the parser\'s position', () => {
    const clauses = splitClauses('tags.a, widht;>3, tags.b')
    expect(clauses.map((clause) => clause.text)).toEqual(['tags.a', 'widht;>3', 'tags.b'])
    expect(clauses[1]!.error).toMatchObject({ message: 'unknown field "widht"', position: 8 })
    expect(clauses[0]!.error).toBeUndefined()
  })

  it('colours pieces that join back to the exact text', () => {
    for (const text of ['width;>=1920', 'tags.*_hair;>=0.9&<1', '!(type;=pixiv | type;=twitter)', 'prompt;"long hair" x', 'clip:"red hair"', 'tags1:Re:ゼロ']) {
      expect(highlight(text).map((segment) => segment.text).join('')).toBe(text)
    }
    expect(highlight('width;>=1920')).toEqual([
      { text: 'width', role: 'field' }, { text: ';', role: 'punct' }, { text: '>=', role: 'op' }, { text: '1920', role: 'number' },
    ])
    expect(highlight('!animated').map((segment) => segment.role)).toEqual(['not', 'field'])
    expect(highlight('clip:"red"').map((segment) => segment.role)).toEqual(['rank', 'punct', 'string'])
    expect(highlight('prompt;long hair').map((segment) => segment.role)).toEqual(['field', 'punct', 'value', 'space', 'value'])
  })

  it('adds and removes clauses, keeping the rest parseable', () => {
    expect(addClause('', 'tags.a')).toBe('tags.a')
    expect(addClause('width;>1, ', 'tags.a')).toBe('width;>1, tags.a')
    const query = 'tags.a, width;>1, tags.b'
    for (const clause of splitClauses(query)) {
      const rest = removeClause(query, clause.span)
      expect(parseQuery(rest).ok, rest).toBe(true)
      expect(splitClauses(rest)).toHaveLength(2)
      expect(rest).not.toContain(clause.text)
    }
    expect(replaceRanking('similar:3, width;>100', 'similar:9')).toBe('width;>100, similar:9')
  })

  it('escapes values in the clauses it builds', () => {
    expect(clauseFor.tag(':)')).toBe('tags.":)"')
    expect(clauseFor.tag('long_hair', true)).toBe('!tags.long_hair')
    expect(clauseFor.equals('userid', '12 34')).toBe('userid;="12 34"')
    for (const clause of [clauseFor.tag('a,b'), clauseFor.tags1('x|y', true), clauseFor.equals('illustid', '9"1')]) expect(parseQuery(clause).ok, clause).toBe(true)
  })

  it('finds the tag fragment under the caret, and none in a value', () => {
    expect(tagFragment('width;>1, tags.long_h', 21)).toEqual({ prefix: 'long_h', span: { start: 10, end: 21 }, hasTagsPrefix: true })
    expect(tagFragment('!Long_h', 7)).toEqual({ prefix: 'long_h', span: { start: 1, end: 7 }, hasTagsPrefix: false })
    expect(tagFragment('width;>1', 8)).toBeUndefined()
    expect(tagFragment('width;>1', 5)).toBeUndefined()
    expect(tagFragment('tags.', 5)).toBeUndefined()
  })
})
