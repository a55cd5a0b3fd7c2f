import { describe, expect, it } from 'vitest'
import type { ImageRecord } from '../../../shared/types/image'
import { parseQuery } from '../../query'
import { compileMilvusFilter, intBound, MILVUS_MATCH_ALL, MILVUS_MATCH_NONE, stringLiteral, vectorScalarsFor } from './milvus-filter'
import { scalarColumns } from './milvus-scalars'

const NOW = Date.UTC(2024, 0, 1)

function compile(query: string): string | undefined {
  const parsed = parseQuery(query, { now: NOW })
  if (!parsed.ok) throw new Error(`${query}: ${parsed.error.message}`)
  return compileMilvusFilter(parsed.value)
}

describe('compileMilvusFilter', () => {
  it('compiles comparisons on the scalar fields and the primary key', () => {
    expect(compile('width;>=1920')).toBe('width >= 1920')
    expect(compile('width;>=1920&<4000')).toBe('(width >= 1920) and (width < 4000)')
    expect(compile('id;=7')).toBe('id == 7')
    expect(compile('type;=pixiv, format;!=png')).toBe('(type == "pixiv") and (format != "png")')
    expect(compile('animated;=true')).toBe('animated == true')
    expect(compile('animated;!=true')).toBe('animated == false')
  })

  it('guards optional fields with their presence flag, so a comparison never matches a missing value', () => {
    expect(compile('userid;!=abc')).toBe('(has_userid == true) and (userid != "abc")')
    expect(compile('userid')).toBe('has_userid == true')
    expect(compile('!userid')).toBe('not (has_userid == true)')
    // !(date=2020) matches images without a date: the NOT covers the guard too.
    expect(compile('!date;=2020')).toBe(`not ((has_date == true) and ((date >= ${Date.UTC(2020, 0, 1)}) and (date < ${Date.UTC(2021, 0, 1)})))`)
  })

  it('compiles dates as the period [start, end)', () => {
    const start = Date.UTC(2020, 0, 1)
    const end = Date.UTC(2021, 0, 1)
    expect(compile('added;>2020')).toBe(`added >= ${end}`)
    expect(compile('added;>=2020')).toBe(`added >= ${start}`)
    expect(compile('added;<2020')).toBe(`added < ${start}`)
    expect(compile('added;<=2020')).toBe(`added < ${end}`)
    expect(compile('added;!=2020')).toBe(`(added < ${start}) or (added >= ${end})`)
    expect(compile('added;>-30d')).toBe(`added >= ${NOW - 30 * 86_400_000}`)
  })

  it('rounds fractional bounds on integer fields to the bound that selects the same integers', () => {
    expect(compile('width;>1919.5')).toBe('width >= 1920')
    expect(compile('width;<=1919.5')).toBe('width <= 1919')
    expect(compile('width;=1919.5')).toBe(MILVUS_MATCH_NONE)
    expect(compile('width;!=1919.5')).toBe(MILVUS_MATCH_ALL)
    expect(intBound('height', '<', -0.5)).toBe('height <= -1')
    expect(compile('width;>1e300')).toBeUndefined()
  })

  it('compiles OR, NOT and exists, folding the always-true and always-false parts', () => {
    expect(compile('(width;>100 | height;>100)')).toBe('(width > 100) or (height > 100)')
    expect(compile('!(type;=pixiv | animated)')).toBe('not ((type == "pixiv") or (animated == true))')
    expect(compile('prompt')).toBe('ai == true')
    expect(compile('width')).toBe(MILVUS_MATCH_ALL)
    expect(compile('filesize, width;>10')).toBe('width > 10')
    expect(compile('!hash')).toBe(MILVUS_MATCH_NONE)
    expect(compile('(!hash | width;>10)')).toBe('width > 10')
    expect(compile('')).toBe(MILVUS_MATCH_ALL)
  })

  it('escapes string values with the escapes Milvus reads', () => {
    expect(compile('userid;="a\\"b\\\\c"')).toBe('(has_userid == true) and (userid == "a\\"b\\\\c")')
    expect(stringLiteral('line\nbreak\u0001')).toBe('"line\\nbreak\\u0001"')
    expect(stringLiteral('日本')).toBe('"日本"')
    expect(stringLiteral('bad\uD800')).toBeUndefined()
  })

  it('gives undefined for anything it cannot express exactly, anywhere in the query', () => {
    for (const query of [
      'tags.long_hair', 'tags1:a', '!tags1:a', 'm;hello', 'prompt;girl', 'views;>10', 'seed;=1', 'title;=x',
      'userid;>abc', 'width;>10, tags.long_hair', '(width;>10 | m)', '!(tags.x)', 'illustid',
    ]) {
      expect(compile(query), query).toBeUndefined()
    }
  })
})

describe('vectorScalarsFor', () => {
  const image: ImageRecord = {
    id: 3, folder: 'art', path: 'a.png', filename: 'a.png', ext: 'png', filesize: 10, mtime: 5, hash: '0'.repeat(16),
    width: 640, height: 480, format: 'png', animated: false, frames: 1, type: 'pixiv', textlen: 0, addedAt: 1000, updatedAt: 1000,
  }

  it('gives every scalar column, with placeholders and false flags for missing optional fields', () => {
    const scalars = vectorScalarsFor(image)
    expect(Object.keys(scalars).sort()).toEqual(scalarColumns().map(({ name }) => name).sort())
    expect(scalars).toMatchObject({ type: 'pixiv', folder: 'art', format: 'png', width: 640, height: 480, animated: false, added: 1000, userid: '', has_userid: false, date: 0, has_date: false, ai: false })
  })

  it('sets the flags when the optional fields and AI parameters are there', () => {
    const scalars = vectorScalarsFor({ ...image, userid: '42', date: 7, ai: { source: 'a1111', prompt: 'x', raw: 'x' } })
    expect(scalars).toMatchObject({ userid: '42', has_userid: true, date: 7, has_date: true, ai: true })
  })
})
