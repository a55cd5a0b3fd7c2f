import { Query } from 'mingo'
import { describe, expect, it } from 'vitest'
import type { ImageRecord } from '../../../shared/types/image'
import type { AndNode, CompareOp, Comparison, QueryNode, SortKey, TextTarget, Value } from '../../query/ast'
import { toMongoDocument, type MongoImageDocument } from './mongo-document'
import { compileMongoFilter, compileMongoSort, escapeRegex, tagPattern } from './mongo-filter'
import { tagScoreKey } from './tag-scores'

const span = { start: 0, end: 0 }
const and = (...children: QueryNode[]): AndNode => ({ type: 'and', children, span })
const or = (...children: QueryNode[]): QueryNode => ({ type: 'or', children, span })
const not = (child: QueryNode): QueryNode => ({ type: 'not', child, span })
const num = (value: number): Value => ({ kind: 'number', value })
const str = (value: string): Value => ({ kind: 'string', value })
const date = (start: number, end: number): Value => ({ kind: 'date', start, end, text: 'd' })
const cmp = (op: CompareOp, value: Value): Comparison => ({ op, value, span })
const compare = (field: string, ...comparisons: Comparison[]): QueryNode => ({ type: 'compare', field, comparisons, span })
const exists = (field: string): QueryNode => ({ type: 'exists', field, span })
const tag = (name: string, ...comparisons: Comparison[]): QueryNode => ({ type: 'tag', name, pattern: name.includes('*'), comparisons, span })
const tags1 = (mode: 'all' | 'any' | 'none', ...values: string[]): QueryNode => ({ type: 'tags1', mode, values, span })
const text = (target: TextTarget, value: string): QueryNode => ({ type: 'text', target, terms: value.split(/\s+/).filter(Boolean), text: value, span })

const filterOf = (...children: QueryNode[]) => compileMongoFilter(and(...children))

describe('compileMongoFilter', () => {
  it('compiles an empty query to a filter that matches everything', () => {
    expect(filterOf()).toEqual({})
  })

  it('compiles comparisons, guarding != against missing fields and merging conditions on one field', () => {
    expect(filterOf(compare('width', cmp('>=', num(1920))))).toEqual({ width: { $gte: 1920 } })
    expect(filterOf(compare('width', cmp('>=', num(1920)), cmp('<', num(4000))))).toEqual({ width: { $gte: 1920, $lt: 4000 } })
    expect(filterOf(compare('userid', cmp('!=', str('abc'))))).toEqual({ userid: { $exists: true, $ne: 'abc' } })
    expect(filterOf(compare('page', cmp('!=', num(1)), cmp('!=', num(2))))).toEqual({
      $and: [{ page: { $exists: true, $ne: 1 } }, { page: { $exists: true, $ne: 2 } }],
    })
    expect(filterOf(compare('animated', cmp('=', { kind: 'boolean', value: false })))).toEqual({ animated: { $eq: false } })
    expect(filterOf(compare('type', cmp('=', str('pixiv'))), compare('height', cmp('<=', num(10))))).toEqual({
      type: { $eq: 'pixiv' }, height: { $lte: 10 },
    })
  })

  it('maps AI fields under ai. and added to added', () => {
    expect(filterOf(compare('seed', cmp('>', num(5))), compare('model', cmp('=', str('anything'))))).toEqual({
      'ai.seed': { $gt: 5 }, 'ai.model': { $eq: 'anything' },
    })
    expect(filterOf(compare('added', cmp('<', num(10))))).toEqual({ added: { $lt: 10 } })
    expect(() => filterOf(compare('nope', cmp('=', num(1))))).toThrow('unknown field nope')
  })

  it('compiles a date value as the period [start, end)', () => {
    const d = date(100, 200)
    expect(filterOf(compare('date', cmp('=', d)))).toEqual({ date: { $gte: 100, $lt: 200 } })
    expect(filterOf(compare('date', cmp('!=', d)))).toEqual({ $or: [{ date: { $lt: 100 } }, { date: { $gte: 200 } }] })
    expect(filterOf(compare('date', cmp('>', d)))).toEqual({ date: { $gte: 200 } })
    expect(filterOf(compare('date', cmp('>=', d)))).toEqual({ date: { $gte: 100 } })
    expect(filterOf(compare('date', cmp('<', d)))).toEqual({ date: { $lt: 100 } })
    expect(filterOf(compare('mtime', cmp('<=', d)))).toEqual({ mtime: { $lt: 200 } })
  })

  it('compiles OR, NOT (as $nor) and an empty OR', () => {
    expect(filterOf(or(compare('width', cmp('=', num(1))), exists('postid')))).toEqual({
      $or: [{ width: { $eq: 1 } }, { postid: { $exists: true } }],
    })
    expect(filterOf(not(compare('width', cmp('>', num(100)))))).toEqual({ $nor: [{ width: { $gt: 100 } }] })
    expect(filterOf(or())).toEqual({ $nor: [{}] })
  })

  it('compiles exists, with the special names', () => {
    // illustid is every source's id of the work (PxIMSE's meaning): pixiv illust, tweet or yande.re post.
    expect(filterOf(exists('illustid'))).toEqual({ $or: [{ illustid: { $exists: true } }, { tweetid: { $exists: true } }, { postid: { $exists: true } }] })
    expect(filterOf(exists('seed'))).toEqual({ 'ai.seed': { $exists: true } })
    expect(filterOf(exists('tags'))).toEqual({ 'tagNames.0': { $exists: true } })
    expect(filterOf(exists('tags1'))).toEqual({ 'tags1.0': { $exists: true } })
    expect(filterOf(exists('m'))).toEqual({ textlen: { $gt: 0 } })
    expect(filterOf(exists('prompt'))).toEqual({ ai: { $exists: true } })
    expect(filterOf(exists('animated'))).toEqual({ animated: true })
  })

  it('compiles tags to tagNames, score comparisons to tagScores of the name, patterns to an anchored regex', () => {
    expect(filterOf(tag('long_hair'))).toEqual({ tagNames: 'long_hair' })
    expect(filterOf(tag('*_hair'))).toEqual({ tagNames: { $regex: '^.*_hair$' } })
    const longHair = `tagScores.${tagScoreKey('long_hair')}`
    expect(filterOf(tag('long_hair', cmp('>=', num(0.8)), cmp('<', num(0.95))))).toEqual({ tagNames: 'long_hair', [longHair]: { $gte: 0.8, $lt: 0.95 } })
    expect(filterOf(tag('long_hair', cmp('!=', num(0.5))))).toEqual({ tagNames: 'long_hair', [longHair]: { $exists: true, $ne: 0.5 } })
    const names = (pattern: string) => ['long_hair', 'red_hair', 'smile'].filter((name) => new RegExp(tagPattern(pattern)).test(name))
    expect(compileMongoFilter(and(tag('*_hair', cmp('>', num(0.5)))), { tagNamesMatching: names })).toEqual({
      $or: [{ tagNames: 'long_hair', [longHair]: { $gt: 0.5 } }, { tagNames: 'red_hair', [`tagScores.${tagScoreKey('red_hair')}`]: { $gt: 0.5 } }],
    })
    expect(compileMongoFilter(and(tag('*_eyes', cmp('>', num(0.5)))), { tagNamesMatching: names })).toEqual({ $nor: [{}] })
    expect(filterOf(tag('*_hair', cmp('>', num(0.5))))).toMatchObject({ tagNames: { $regex: '^.*_hair$' } })
    expect(tagPattern('st._louis_(azur_*)')).toBe('^st\\._louis_\\(azur_.*\\)$')
    expect(filterOf(tag('a'), tag('b'))).toEqual({ $and: [{ tagNames: 'a' }, { tagNames: 'b' }] })
  })

  it('compiles tags1 all / any / none', () => {
    expect(filterOf(tags1('all', 'a', 'b'))).toEqual({ tags1: { $all: ['a', 'b'] } })
    expect(filterOf(tags1('any', 'a', 'b'))).toEqual({ tags1: { $in: ['a', 'b'] } })
    expect(filterOf(tags1('none', 'a'))).toEqual({ tags1: { $nin: ['a'] } })
  })

  it('compiles full-text terms to regexes folding ASCII case only', () => {
    expect(filterOf(text('ocr', 'Ab.'))).toEqual({ text: { $regex: '[aA][bB]\\.' } })
    expect(filterOf(text('prompt', '1girl 雨'))).toEqual({
      $and: [{ 'ai.prompt': { $regex: '1[gG][iI][rR][lL]' } }, { 'ai.prompt': { $regex: '雨' } }],
    })
    expect(filterOf(text('negative', 'x'))).toEqual({ 'ai.negativePrompt': { $regex: '[xX]' } })
    expect(filterOf(text('tags1', 'bl'))).toEqual({ tags1: { $regex: '[bB][lL]' } })
    expect(escapeRegex('a+b*(c)[d]{e}|f^g$h\\i?.')).toBe('a\\+b\\*\\(c\\)\\[d\\]\\{e\\}\\|f\\^g\\$h\\\\i\\?\\.')
  })
})

describe('compileMongoSort', () => {
  const key = (field: string, direction: 1 | -1): SortKey => ({ field, direction, span })

  it('maps fields and appends id descending unless id is a key', () => {
    expect(compileMongoSort([])).toEqual({ id: -1 })
    expect(Object.entries(compileMongoSort([key('seed', 1), key('added', -1)]))).toEqual([['ai.seed', 1], ['added', -1], ['id', -1]])
    expect(Object.entries(compileMongoSort([key('id', 1), key('width', -1)]))).toEqual([['id', 1], ['width', -1]])
  })
})

describe('filters run against documents (mingo)', () => {
  const base: ImageRecord = {
    id: 1, folder: 'lib', path: 'a.png', filename: 'a.png', ext: 'png', filesize: 10, mtime: 1000, hash: '0123456789abcdef',
    width: 100, height: 50, format: 'png', animated: false, frames: 1, type: 'other', textlen: 0, addedAt: 5, updatedAt: 5,
  }
  const documents: MongoImageDocument[] = [
    toMongoDocument({ ...base, id: 1 }),
    toMongoDocument({
      ...base, id: 2, type: 'pixiv', illustid: '9', page: 0, userid: '3', tags1: ['Blue_sky', '青空'], tags: { long_hair: 0.9, 'st._louis_(azur_lane)': 0.5 },
      text: 'ＳＡＧＡＳＵ Café', textlen: 11, ai: { source: 'a1111', prompt: '1girl', seed: 7, raw: 'r' },
    }),
    toMongoDocument({ ...base, id: 3, page: 2, animated: true, tags: { short_hair: 0.3, stxlouis_xazur_lanex: 0.9 } }),
  ]
  const tagNamesMatching = (pattern: string) => documents.flatMap((d) => d.tagNames).filter((name) => new RegExp(tagPattern(pattern)).test(name))
  const ids = (...children: QueryNode[]) => new Query(compileMongoFilter(and(...children), { tagNamesMatching })).find<MongoImageDocument>(documents).all().map((d) => d.id)

  it('writes the documented shape, leaving absent fields out', () => {
    expect(documents[0]).toEqual({
      _id: 1, id: 1, folder: 'lib', path: 'a.png', filename: 'a.png', ext: 'png', format: 'png', filesize: 10, width: 100, height: 50,
      frames: 1, animated: false, hash: '0123456789abcdef', type: 'other', mtime: 1000, added: 5, textlen: 0, tags1: [], tagList: [], tagNames: [], tagScores: {},
    })
    expect(documents[1]).toMatchObject({ illustid: '9', page: 0, ai: { prompt: '1girl', seed: 7 }, tagList: [{ n: 'long_hair', s: 0.9 }, { n: 'st._louis_(azur_lane)', s: 0.5 }] })
    expect(documents[1]!.ai).toEqual({ prompt: '1girl', seed: 7 })
  })

  it('never matches a missing field with a comparison, and NOT is the complement', () => {
    expect(ids(compare('page', cmp('!=', num(2))))).toEqual([2])
    expect(ids(not(compare('page', cmp('!=', num(2)))))).toEqual([1, 3])
    expect(ids(compare('seed', cmp('!=', num(1))))).toEqual([2])
    expect(ids(not(exists('prompt')))).toEqual([1, 3])
    expect(ids(exists('animated'))).toEqual([3])
  })

  it('matches tags by exact name, by pattern with everything but * literal, and by score on one tag', () => {
    expect(ids(tag('st._louis_(azur_lane)'))).toEqual([2])
    expect(ids(tag('st._louis_*'))).toEqual([2])
    expect(ids(tag('*_hair', cmp('>', num(0.5))))).toEqual([2])
    expect(ids(tag('*', cmp('>', num(0.6)), cmp('<', num(0.8))))).toEqual([])
    expect(ids(tags1('none', 'Blue_sky'))).toEqual([1, 3])
    expect(ids(tags1('all', 'blue_sky'))).toEqual([])
  })

  it('folds ASCII case only in full text', () => {
    expect(ids(text('tags1', 'BLUE 青'))).toEqual([2])
    expect(ids(text('ocr', 'café'))).toEqual([2])
    expect(ids(text('ocr', 'CAFÉ'))).toEqual([])
    expect(ids(text('ocr', 'ｓａｇａｓｕ'))).toEqual([])
    expect(ids(text('ocr', 'ＳＡＧ'))).toEqual([2])
  })
})
