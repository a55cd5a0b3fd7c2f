import { describe, expect, it } from 'vitest'
import type { AndNode, QueryDiagnostic, QueryNode, SortKey } from './ast'
import { knownFieldList } from './fields'
import { parseQuery, parseSort, printQuery, printSort, QUERY_LIMITS } from './index'

const NOW = Date.UTC(2024, 0, 31, 12, 0, 0)
const DAY = 86_400_000

/** A deep copy without `span` keys: ASTs compared "modulo spans". */
function withoutSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSpans)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'span').map(([key, item]) => [key, withoutSpans(item)]))
  }
  return value
}

/** Parses `text`, expecting success, and checks that printing reads back to the same tree. */
function parse(text: string): AndNode {
  const result = parseQuery(text, { now: NOW })
  if (!result.ok) expect.fail(`"${text}" should parse, got ${JSON.stringify(result.error)}`)
  const printed = printQuery(result.value)
  const again = parseQuery(printed, { now: NOW })
  if (!again.ok) expect.fail(`printed "${printed}" (from "${text}") should parse, got ${JSON.stringify(again.error)}`)
  expect(withoutSpans(again.value), `round trip of "${text}" via "${printed}"`).toEqual(withoutSpans(result.value))
  expect(printQuery(again.value)).toBe(printed)
  return result.value
}

/** The clauses of a query, without spans. */
function clauses(text: string): unknown {
  return withoutSpans(parse(text).children)
}

/** The single clause of a query, without spans. */
function clause(text: string): unknown {
  const children = parse(text).children
  expect(children).toHaveLength(1)
  return withoutSpans(children[0])
}

function error(text: string): QueryDiagnostic {
  const result = parseQuery(text, { now: NOW })
  if (result.ok) expect.fail(`"${text}" should fail, got ${printQuery(result.value)}`)
  expect(Number.isInteger(result.error.position)).toBe(true)
  expect(result.error.position).toBeGreaterThanOrEqual(0)
  expect(result.error.position).toBeLessThanOrEqual(text.length)
  return result.error
}

const num = (value: number) => ({ kind: 'number', value })
const str = (value: string) => ({ kind: 'string', value })
const tag = (name: string, comparisons: unknown[] = [], pattern = false) => ({ type: 'tag', name, pattern, comparisons })
const exists = (field: string) => ({ type: 'exists', field })
const not = (child: unknown) => ({ type: 'not', child })
const cmp = (field: string, ...comparisons: unknown[]) => ({ type: 'compare', field, comparisons })
const op = (o: string, value: unknown) => ({ op: o, value })

describe('PRODUCT.md clause forms', () => {
  it('tags.long_hair / !tags.long_hair', () => {
    expect(clause('tags.long_hair')).toEqual(tag('long_hair'))
    expect(clause('!tags.long_hair')).toEqual(not(tag('long_hair')))
  })

  it('tags.long_hair;>=0.8 and score ranges', () => {
    expect(clause('tags.long_hair;>=0.8')).toEqual(tag('long_hair', [op('>=', num(0.8))]))
    expect(clause('tags.long_hair;>=0.8&<0.95')).toEqual(tag('long_hair', [op('>=', num(0.8)), op('<', num(0.95))]))
    expect(clause('tags.long_hair;=1')).toEqual(tag('long_hair', [op('=', num(1))]))
    expect(clause('tags.long_hair;>0')).toEqual(tag('long_hair', [op('>', num(0))]))
  })

  it('tags1:a / |tags1:a / !tags1:a: one value, everything after the first colon (PxIMSE split(":", 1))', () => {
    expect(clause('tags1:a')).toEqual({ type: 'tags1', mode: 'all', values: ['a'] })
    expect(clause('|tags1:a')).toEqual({ type: 'tags1', mode: 'any', values: ['a'] })
    expect(clause('!tags1:a')).toEqual({ type: 'tags1', mode: 'none', values: ['a'] })
    expect(clause('tags1:a:b')).toEqual({ type: 'tags1', mode: 'all', values: ['a:b'] })
    expect(clause('tags1: a : b ')).toEqual({ type: 'tags1', mode: 'all', values: ['a : b'] })
    expect(clause('tags1:Re:ゼロから始める異世界生活')).toEqual({ type: 'tags1', mode: 'all', values: ['Re:ゼロから始める異世界生活'] })
    expect(clause('tags1:"a,b"')).toEqual({ type: 'tags1', mode: 'all', values: ['a,b'] })
  })

  it('sibling tags1 clauses of one mode are one node, as PxIMSE collects them ($all, $in, $nin)', () => {
    expect(clause('|tags1:オリジナル, |tags1:original')).toEqual({ type: 'tags1', mode: 'any', values: ['オリジナル', 'original'] })
    expect(clause('tags1:a, tags1:b')).toEqual({ type: 'tags1', mode: 'all', values: ['a', 'b'] })
    expect(clauses('|tags1:a, tags.x, !tags1:c, |tags1:b, !tags1:d')).toEqual([
      { type: 'tags1', mode: 'any', values: ['a', 'b'] },
      tag('x'),
      { type: 'tags1', mode: 'none', values: ['c', 'd'] },
    ])
    // Only siblings: a group keeps its own.
    expect(clauses('|tags1:a, (|tags1:b, tags.x)')).toHaveLength(2)
    expect(printQuery(parse('|tags1:a, tags.x, |tags1:b'))).toBe('|tags1:a, |tags1:b, tags.x')
    expect(printQuery(parse('tags.y | (|tags1:a, |tags1:b)'))).toBe('tags.y | (|tags1:a, |tags1:b)')
  })

  it('field;>v&<w', () => {
    expect(clause('width;>100&<200')).toEqual(cmp('width', op('>', num(100)), op('<', num(200))))
    expect(clause('height;<=5&>=1&!=3')).toEqual(cmp('height', op('<=', num(5)), op('>=', num(1)), op('!=', num(3))))
  })

  it('userid;="12345" (quotes optional on strings)', () => {
    expect(clause('userid;="12345"')).toEqual(cmp('userid', op('=', str('12345'))))
    expect(clause('userid;=12345')).toEqual(cmp('userid', op('=', str('12345'))))
    expect(clause('username;=some user')).toEqual(cmp('username', op('=', str('some user'))))
    expect(clause('username;="a \\"quoted\\" \\\\ name"')).toEqual(cmp('username', op('=', str('a "quoted" \\ name'))))
    expect(clause('filename;=a\\,b\\&c')).toEqual(cmp('filename', op('=', str('a,b&c'))))
    expect(clause('filename;=foo(1).png')).toEqual(cmp('filename', op('=', str('foo(1).png'))))
    expect(clause('path;="C:\\dir"')).toEqual(cmp('path', op('=', str('C:\\dir'))))
    expect(clause('userid;=""')).toEqual(cmp('userid', op('=', str(''))))
  })

  it('date;>2020-01-01&<2021-01-01', () => {
    expect(clause('date;>2020-01-01&<2021-01-01')).toEqual(
      cmp(
        'date',
        op('>', { kind: 'date', start: Date.UTC(2020, 0, 1), end: Date.UTC(2020, 0, 2), text: '2020-01-01' }),
        op('<', { kind: 'date', start: Date.UTC(2021, 0, 1), end: Date.UTC(2021, 0, 2), text: '2021-01-01' }),
      ),
    )
  })

  it('filesize;>1000000, width;>=1920, textlen;>10', () => {
    expect(clauses('filesize;>1000000, width;>=1920, textlen;>10')).toEqual([
      cmp('filesize', op('>', num(1_000_000))),
      cmp('width', op('>=', num(1920))),
      cmp('textlen', op('>', num(10))),
    ])
    expect(clause('filesize;>1e6')).toEqual(cmp('filesize', op('>', num(1e6))))
    expect(clause('cfg;=-3')).toEqual(cmp('cfg', op('=', num(-3))))
    expect(clause('cfg;=0.5')).toEqual(cmp('cfg', op('=', num(0.5))))
    expect(clause('cfg;="7.5"')).toEqual(cmp('cfg', op('=', num(7.5))))
  })

  it('m;ありがとう, mt;words, prompt;…, negative;…', () => {
    expect(clause('m;ありがとう')).toEqual({ type: 'text', target: 'ocr', terms: ['ありがとう'], text: 'ありがとう' })
    expect(clause('mt;words here')).toEqual({ type: 'text', target: 'tags1', terms: ['words', 'here'], text: 'words here' })
    expect(clauses('prompt; masterpiece  "long hair" , negative;lowres&bad')).toEqual([
      { type: 'text', target: 'prompt', terms: ['masterpiece', 'long hair'], text: 'masterpiece  "long hair"' },
      { type: 'text', target: 'negative', terms: ['lowres&bad'], text: 'lowres&bad' },
    ])
    expect(clause('m;ありがとう　ございます')).toEqual({ type: 'text', target: 'ocr', terms: ['ありがとう', 'ございます'], text: 'ありがとう　ございます' })
    expect(clause('m;(笑) a;b:c!')).toEqual({ type: 'text', target: 'ocr', terms: ['(笑)', 'a;b:c!'], text: '(笑) a;b:c!' })
  })

  it('field / !field', () => {
    expect(clauses('animated, !animated, hash, !hash')).toEqual([exists('animated'), not(exists('animated')), exists('hash'), not(exists('hash'))])
    expect(clauses('tags, tags1, m, prompt, !tags1, !m')).toEqual([
      exists('tags'),
      exists('tags1'),
      exists('m'),
      exists('prompt'),
      not(exists('tags1')),
      not(exists('m')),
    ])
  })

  it('boolean comparisons', () => {
    expect(clauses('animated;=true, animated;!=0, animated;=1, animated;=false')).toEqual([
      cmp('animated', op('=', { kind: 'boolean', value: true })),
      cmp('animated', op('!=', { kind: 'boolean', value: false })),
      cmp('animated', op('=', { kind: 'boolean', value: true })),
      cmp('animated', op('=', { kind: 'boolean', value: false })),
    ])
  })

  it('PxIMSE\'s pixiv count names likeCount, viewCount, bookmarkCount, commentCount', () => {
    expect(clauses('likeCount;=100, viewCount;!=200, bookmarkCount;>5&<10, commentCount')).toEqual([
      cmp('likes', op('=', { kind: 'number', value: 100 })),
      cmp('views', op('!=', { kind: 'number', value: 200 })),
      cmp('bookmarks', op('>', { kind: 'number', value: 5 }), op('<', { kind: 'number', value: 10 })),
      { type: 'exists', field: 'comments' },
    ])
    const sort = parseSort('bookmarkCount;1, likeCount')
    expect(sort.ok && sort.value.map((key) => [key.field, key.direction])).toEqual([['bookmarks', 1], ['likes', -1]])
    const twice = parseSort('likes, likeCount')
    expect(!twice.ok && twice.error.message).toBe('likes is already in the sort')
  })

  it('empty query', () => {
    expect(parse('')).toEqual({ type: 'and', children: [], span: { start: 0, end: 0 } })
    expect(parse('   ')).toEqual({ type: 'and', children: [], span: { start: 0, end: 3 } })
  })
})

describe('beyond PxIMSE', () => {
  it('OR binds looser than AND; parentheses group', () => {
    expect(clauses('(tags.red_hair | tags.blue_hair), width;>1000')).toEqual([
      { type: 'or', children: [tag('red_hair'), tag('blue_hair')] },
      cmp('width', op('>', num(1000))),
    ])
    expect(clause('tags.a, tags.b | tags.c')).toEqual({
      type: 'or',
      children: [{ type: 'and', children: [tag('a'), tag('b')] }, tag('c')],
    })
    expect(clause('!(tags.a | tags.b)')).toEqual(not({ type: 'or', children: [tag('a'), tag('b')] }))
    expect(clause('!!tags.a')).toEqual(not(not(tag('a'))))
    expect(clause('((tags.a))')).toEqual(tag('a'))
    expect(clauses('(tags.a, tags.b)')).toEqual([tag('a'), tag('b')])
    expect(clauses('(tags.a, tags.b), tags.c')).toEqual([{ type: 'and', children: [tag('a'), tag('b')] }, tag('c')])
    expect(clause('(tags.a | tags.b) | tags.c')).toEqual({ type: 'or', children: [{ type: 'or', children: [tag('a'), tag('b')] }, tag('c')] })
  })

  it('whitespace around , | ( ) ! ; & : is insignificant', () => {
    expect(clauses(' ( tags.a | tags.b ) , ! width ; > 10 & < 20 ,|tags1 : x : y ')).toEqual([
      { type: 'or', children: [tag('a'), tag('b')] },
      not(cmp('width', op('>', num(10)), op('<', num(20)))),
      { type: 'tags1', mode: 'any', values: ['x : y'] },
    ])
    expect(clause('! tags1:a')).toEqual({ type: 'tags1', mode: 'none', values: ['a'] })
  })

  it('tag names: dots, balanced parentheses, quotes, wildcards', () => {
    expect(clause('tags.st._louis_(azur_lane)')).toEqual(tag('st._louis_(azur_lane)'))
    expect(clause('(tags.st._louis_(azur_lane) | tags.x)')).toEqual({ type: 'or', children: [tag('st._louis_(azur_lane)'), tag('x')] })
    expect(clause('tags.a.b.c;>0.5')).toEqual(tag('a.b.c', [op('>', num(0.5))]))
    expect(clause('tags."a,b"')).toEqual(tag('a,b'))
    expect(clause('tags."a*b"')).toEqual(tag('a*b'))
    expect(clause('tags.a\\*b')).toEqual(tag('a*b'))
    expect(clause('tags.*_hair')).toEqual(tag('*_hair', [], true))
    expect(clause('tags.*_hair;>=0.9')).toEqual(tag('*_hair', [op('>=', num(0.9))], true))
    expect(clause('tags.!?')).toEqual(tag('!?'))
    expect(clause('tags.:d')).toEqual(tag(':d'))
    expect(clause('tags.":)"')).toEqual(tag(':)'))
    expect(clause('tags.猫耳')).toEqual(tag('猫耳'))
  })

  it('relative dates on any date field', () => {
    expect(clauses('added;>-30d, mtime;<-12h, date;>=-2w, added;>-6mo, added;>-1y, added;>-90m, added;<=now')).toEqual([
      cmp('added', op('>', { kind: 'date', start: NOW - 30 * DAY, end: NOW - 30 * DAY, text: '-30d' })),
      cmp('mtime', op('<', { kind: 'date', start: NOW - 12 * 3_600_000, end: NOW - 12 * 3_600_000, text: '-12h' })),
      cmp('date', op('>=', { kind: 'date', start: NOW - 14 * DAY, end: NOW - 14 * DAY, text: '-2w' })),
      cmp('added', op('>', { kind: 'date', start: Date.UTC(2023, 6, 31, 12), end: Date.UTC(2023, 6, 31, 12), text: '-6mo' })),
      cmp('added', op('>', { kind: 'date', start: Date.UTC(2023, 0, 31, 12), end: Date.UTC(2023, 0, 31, 12), text: '-1y' })),
      cmp('added', op('>', { kind: 'date', start: NOW - 90 * 60_000, end: NOW - 90 * 60_000, text: '-90m' })),
      cmp('added', op('<=', { kind: 'date', start: NOW, end: NOW, text: 'now' })),
    ])
  })

  it('leading and trailing commas are skipped', () => {
    expect(clauses(',tags.a,')).toEqual([tag('a')])
    expect(clauses('(tags.a, tags.b,), tags.c')).toEqual([{ type: 'and', children: [tag('a'), tag('b')] }, tag('c')])
    expect(clauses(' , ')).toEqual([])
  })
})

describe('PxIMSE crash cases are accepted', () => {
  it('unquoted strings', () => {
    expect(clauses('userid;=12345, username;=abc, type;=pixiv')).toEqual([
      cmp('userid', op('=', str('12345'))),
      cmp('username', op('=', str('abc'))),
      cmp('type', op('=', str('pixiv'))),
    ])
  })

  it('dates outside `date`', () => {
    expect(clauses('mtime;>2020, added;<2021-05')).toEqual([
      cmp('mtime', op('>', { kind: 'date', start: Date.UTC(2020, 0, 1), end: Date.UTC(2021, 0, 1), text: '2020' })),
      cmp('added', op('<', { kind: 'date', start: Date.UTC(2021, 4, 1), end: Date.UTC(2021, 5, 1), text: '2021-05' })),
    ])
  })

  it('spaces after ;', () => {
    expect(clause('width; >10')).toEqual(cmp('width', op('>', num(10))))
    expect(clause('width ;  > 10 ')).toEqual(cmp('width', op('>', num(10))))
    expect(clause('m; ありがとう ')).toEqual({ type: 'text', target: 'ocr', terms: ['ありがとう'], text: 'ありがとう' })
  })

  it('duplicate keys and two textlen clauses', () => {
    expect(clauses('width;>100, width;<200')).toEqual([cmp('width', op('>', num(100))), cmp('width', op('<', num(200)))])
    expect(clauses('textlen;>10, textlen;<100')).toEqual([cmp('textlen', op('>', num(10))), cmp('textlen', op('<', num(100)))])
  })

  it('a bare tags1', () => {
    expect(clause('tags1')).toEqual(exists('tags1'))
  })

  it('tag names containing .', () => {
    expect(clause('tags.st._louis_(azur_lane)')).toEqual(tag('st._louis_(azur_lane)'))
    expect(clause('tags.c.c.')).toEqual(tag('c.c.'))
  })

  it('commas inside values', () => {
    expect(clauses('tags."a,b", userid;="a,b", tags1:"x,y":z, m;"hello, world", filename;=a\\,b')).toEqual([
      tag('a,b'),
      cmp('userid', op('=', str('a,b'))),
      { type: 'tags1', mode: 'all', values: ['x,y:z'] },
      { type: 'text', target: 'ocr', terms: ['hello, world'], text: '"hello, world"' },
      cmp('filename', op('=', str('a,b'))),
    ])
  })
})

describe("PxIMSE's forms that Sagasu once refused or misread (issue 19)", () => {
  it('user and createDate, the names PxIMSE\'s UI writes', () => {
    expect(clause('user;="Alice"')).toEqual(cmp('username', op('=', str('Alice'))))
    expect(clause('createDate;>2020')).toMatchObject({ type: 'compare', field: 'date' })
  })

  it('type;=pixiv1', () => {
    expect(clause('type;=pixiv1')).toEqual(cmp('type', op('=', str('pixiv1'))))
  })

  it("single quotes quote a value as PxIMSE's convert_value strips them", () => {
    expect(clause("userid;='12345'")).toEqual(cmp('userid', op('=', str('12345'))))
    expect(clause("username;='a b'")).toEqual(cmp('username', op('=', str('a b'))))
    expect(clause("width;='100'")).toEqual(cmp('width', op('=', num(100))))
    expect(clause("username;=''")).toEqual(cmp('username', op('=', str(''))))
    expect(clause("username;='null'")).toEqual(cmp('username', op('=', str('null'))))
    // An apostrophe inside a value or a tag name is just a character.
    expect(clause("username;=it's")).toEqual(cmp('username', op('=', str("it's"))))
    expect(clause("tags.jack-o'-lantern")).toEqual(tag("jack-o'-lantern"))
  })

  it('null is a test for a missing value', () => {
    expect(clause('likeCount;=null')).toEqual(not({ type: 'exists', field: 'likes' }))
    expect(clause('likeCount;!=null')).toEqual({ type: 'exists', field: 'likes' })
    expect(clause('user;=null')).toEqual(not({ type: 'exists', field: 'username' }))
    expect(clause('textlen;!=null')).toEqual({ type: 'exists', field: 'm' })
    expect(clauses('likes;!=null&>5')).toEqual([cmp('likes', op('>', num(5))), { type: 'exists', field: 'likes' }])
    expect(clause('username;="null"')).toEqual(cmp('username', op('=', str('null'))))
    expect(clause('m;null')).toMatchObject({ type: 'text', terms: ['null'] })
    expect(printQuery(parse('likeCount;=null'))).toBe('!likes')
  })

  it('bad input of the new forms: what is wrong and where', () => {
    expect(error("userid;='12345")).toMatchObject({ message: 'unterminated single quote', position: 8 })
    expect(error("userid;='a, b'")).toMatchObject({ message: 'unterminated single quote', position: 8 })
    expect(error("userid;='")).toMatchObject({ message: 'unterminated single quote', position: 8 })
    expect(error('likes;>null')).toMatchObject({ message: 'null is compared with = or !=, not ">"', position: 6 })
    expect(error('animated;=null')).toMatchObject({ message: 'animated is never null: it is true or false', position: 10 })
    expect(error('tags.x;=null')).toMatchObject({ message: 'a tag score cannot be null', position: 8 })
    expect(error('m;=null')).toMatchObject({ message: 'm; searches the text: it has no null test', position: 2 })
    expect(error('mt;!=null')).toMatchObject({ message: 'mt; searches the text: it has no null test', position: 3 })
    expect(error('type;=pixiv2')).toMatchObject({ position: 6 })
    expect(error('date;>2000-01-01 25:00')).toMatchObject({ message: '"2000-01-01 25:00" is not a time', position: 17 })
    expect(error('date;>200001')).toMatchObject({ message: '"200001" is not a date', position: 6 })
  })

  it('the dates Python\'s fromisoformat takes', () => {
    expect(clause('date;>2000-01-01 12:00')).toMatchObject({ comparisons: [{ op: '>', value: { kind: 'date', start: Date.UTC(2000, 0, 1, 12), end: Date.UTC(2000, 0, 1, 12, 1) } }] })
    expect(clause('date;>20000101')).toMatchObject({ comparisons: [{ value: { start: Date.UTC(2000, 0, 1), end: Date.UTC(2000, 0, 2) } }] })
  })
})

describe('spans', () => {
  it('clauses, comparisons and groups carry their ranges', () => {
    const query = parse('(tags.red_hair | !tags.x), width;>=10&<20')
    expect(query.span).toEqual({ start: 0, end: 41 })
    const [or, width] = query.children as [QueryNode & { type: 'or' }, QueryNode & { type: 'compare' }]
    expect(or.span).toEqual({ start: 0, end: 25 })
    expect(or.children[0]?.span).toEqual({ start: 1, end: 14 })
    expect(or.children[1]?.span).toEqual({ start: 17, end: 24 })
    expect(width.span).toEqual({ start: 27, end: 41 })
    expect(width.comparisons.map((c) => c.span)).toEqual([
      { start: 33, end: 37 },
      { start: 38, end: 41 },
    ])
  })

  it('tags1 forms span their prefix; text spans its prefix', () => {
    const query = parse('|tags1:a:b , m; hello ')
    expect(query.children[0]).toMatchObject({ values: ['a:b'] })
    expect(query.children.map((c) => c.span)).toEqual([
      { start: 0, end: 10 },
      { start: 13, end: 21 },
    ])
  })

  it('each span covers the source of its clause', () => {
    const text = 'tags.a;>0.5, userid;="x y", !animated'
    expect(parse(text).children.map((c) => text.slice(c.span.start, c.span.end))).toEqual(['tags.a;>0.5', 'userid;="x y"', '!animated'])
  })
})

describe('errors: the first problem, its position and a hint', () => {
  it('unknown field, with did-you-mean and the known fields', () => {
    const e = error('width;>1, widht;>3')
    expect(e).toMatchObject({ message: 'unknown field "widht"', position: 10 })
    expect(e.hint).toContain('did you mean "width"?')
    expect(e.hint).toContain(knownFieldList())
    expect(error('zzzzzzz;>1').hint).toBe(`known fields: ${knownFieldList()}`)
    expect(error('hieght').hint).toContain('did you mean "height"?')
    expect(error('tag.long_hair').hint).toContain('did you mean "tags.long_hair"?')
  })

  it('missing value after an operator', () => {
    expect(error('width;>')).toMatchObject({ message: 'missing value after ">"', position: 6 })
    expect(error('width;>=1&<')).toMatchObject({ message: 'missing value after "<"', position: 10 })
    expect(error('width;>= , height').position).toBe(6)
  })

  it('unknown or missing operator', () => {
    expect(error('width;~3')).toMatchObject({ message: 'unknown operator "~"', position: 6 })
    expect(error('width;~3').hint).toContain('< <= > >= = or !=')
    expect(error('width;==3')).toMatchObject({ message: 'unknown operator "=="', position: 6 })
    expect(error('width;1920')).toMatchObject({ message: 'expected an operator before "1920"', position: 6 })
    expect(error('width;')).toMatchObject({ message: 'missing comparison after ";"', position: 5 })
    expect(error('width;>1&')).toMatchObject({ message: 'missing comparison after "&"', position: 8 })
    expect(error('width;>1&&<3').position).toBe(8)
  })

  it('unterminated quote at the opening quote', () => {
    expect(error('userid;="abc')).toMatchObject({ message: 'unterminated quote', position: 8 })
    expect(error('tags."abc, width;>1').position).toBe(5)
    expect(error('m;a "b c').position).toBe(4)
    expect(error('"abc').position).toBe(0)
  })

  it('a backslash at the very end has nothing to escape', () => {
    expect(error('m;abc\\')).toMatchObject({ message: 'nothing after "\\" to escape', position: 5 })
    expect(error('userid;=a\\').position).toBe(9)
    expect(clause('userid;=a\\\\')).toEqual(cmp('userid', op('=', str('a\\'))))
  })

  it('unbalanced parentheses at the unmatched one', () => {
    expect(error('(width;>1')).toMatchObject({ message: 'unmatched "("', position: 0 })
    expect(error('width;>1)')).toMatchObject({ message: 'unmatched ")"', position: 8 })
    expect(error('((width;>1 | height;>1)').position).toBe(0)
    expect(error('tags.a(b, tags.c').position).toBe(6)
    expect(error('()')).toMatchObject({ message: 'empty parentheses', position: 0 })
  })

  it('empty clause between commas', () => {
    expect(error('width;>1,,height;>1')).toMatchObject({ message: 'empty clause', position: 9 })
    expect(error('width;>1, ,height;>1').position).toBe(10)
    expect(error(',,a').position).toBe(1)
  })

  it('OR and the |tags1 form', () => {
    expect(error('tags.a |')).toMatchObject({ message: 'expected a clause after "|"', position: 7 })
    expect(error('tags.a || tags.b')).toMatchObject({ position: 8, hint: 'use a single "|" for OR' })
    expect(error('tags.a, | tags.b')).toMatchObject({ position: 8, hint: 'remove the "," before "|" to mean OR' })
    expect(error('|tags1')).toMatchObject({ position: 0 })
    expect(error('!')).toMatchObject({ message: 'expected a clause after "!"', position: 0 })
  })

  it('comparisons and forms a field does not take', () => {
    expect(error('tags1;>3')).toMatchObject({ message: 'tags1 takes values, not comparisons', position: 5 })
    expect(error('m;')).toMatchObject({ message: 'missing text after "m;"', position: 1 })
    expect(error('m; , width;>1')).toMatchObject({ position: 1 })
    expect(error('m;""')).toMatchObject({ message: 'empty text', position: 2 })
    expect(error('mt')).toMatchObject({ message: '"mt" needs text to search for', position: 0 })
    expect(error('tags;>1').position).toBe(4)
    expect(error('width>3')).toMatchObject({ message: 'expected ";" after "width"', position: 5, hint: 'e.g. width;>=1920' })
    expect(error('animated true')).toMatchObject({ position: 9 })
    expect(error('tags.a;>0.5 tags.b')).toMatchObject({ position: 8 })
  })

  it('values of the wrong type', () => {
    expect(error('width;>abc')).toMatchObject({ message: 'width takes a number, not "abc"', position: 7 })
    expect(error('width;>1e999').position).toBe(7)
    expect(error('animated;=maybe')).toMatchObject({ message: 'animated takes true or false, not "maybe"', position: 10 })
    expect(error('animated;>0')).toMatchObject({ position: 9 })
    expect(error('format;=PNG')).toMatchObject({ position: 8, hint: 'did you mean "png"?' })
    expect(error('type;=tumblr').message).toContain('pixiv, twitter, yandere, danbooru, other')
    expect(error('date;=2023-02-30')).toMatchObject({ position: 14, hint: 'February 2023 has 28 days' })
    expect(error('date;="2023-02-30"')).toMatchObject({ position: 6 })
    expect(error('date;>yesterday')).toMatchObject({ position: 6 })
    expect(error('added;>+3d').position).toBe(7)
  })

  it('tag scores outside 0..1 and tag names', () => {
    expect(error('tags.x;>1.5')).toMatchObject({ message: 'tag score 1.5 is outside 0 to 1', position: 8 })
    expect(error('tags.x;>1.5').hint).toContain('0 to 1')
    expect(error('tags.x;>-0.1').position).toBe(8)
    expect(error('tags.x;>high').position).toBe(8)
    expect(error('tags.')).toMatchObject({ message: 'missing tag name', position: 0 })
    expect(error('tags.;>0.5').position).toBe(0)
    expect(error('tags.""').position).toBe(0)
    expect(error('tags.*"*"').position).toBe(0)
  })

  it('tags1 values', () => {
    expect(clause('tags1:a::b')).toMatchObject({ values: ['a::b'] })
    expect(error('tags1:')).toMatchObject({ message: 'empty tags1 value', position: 5 })
    expect(error('tags1:""').position).toBe(6)
  })

  it('limits: length, depth, clauses, tags1 values', () => {
    const max = QUERY_LIMITS.maxLength
    expect(error(`m;${'a'.repeat(max - 1)}`)).toMatchObject({ position: max })
    expect(parseQuery(`m;${'a'.repeat(max - 2)}`).ok).toBe(true)

    const deep = `${'('.repeat(17)}tags.a${')'.repeat(17)}`
    expect(error(deep)).toMatchObject({ position: 16 })
    expect(parse(`${'('.repeat(16)}tags.a${')'.repeat(16)}`).children).toHaveLength(1)
    expect(error(`${'!'.repeat(17)}tags.a`).position).toBe(16)

    const many = Array.from({ length: 257 }, (_, i) => `tags.t${i}`)
    expect(error(many.join(','))).toMatchObject({ position: many.slice(0, 256).join(',').length + 1 })
    expect(parse(many.slice(0, 256).join(',')).children).toHaveLength(256)

    const values = Array.from({ length: 65 }, (_, i) => `|tags1:v${i}`)
    expect(error(values.join(','))).toMatchObject({ message: 'more than 64 tags1 values', position: `${values.slice(0, 64).join(',')},`.length })
    expect(clause(values.slice(0, 64).join(','))).toMatchObject({ values: values.slice(0, 64).map((value) => value.slice(7)) })
  })

  it('limits: comparisons per clause, words per text clause, alternatives per "|" list', () => {
    const { maxComparisons, maxTextTerms, maxAlternatives } = QUERY_LIMITS
    const comparisons = (n: number) => Array.from({ length: n }, (_, i) => `>${i}`).join('&')
    expect(clause(`width;${comparisons(maxComparisons)}`)).toMatchObject({ type: 'compare', comparisons: expect.any(Array) })
    expect(error(`width;${comparisons(maxComparisons + 1)}`)).toMatchObject({
      message: `more than ${maxComparisons} comparisons in one clause`,
      position: `width;${comparisons(maxComparisons)}&`.length,
      hint: expect.stringContaining('width;>=100&<=200'),
    })
    // The clause of issue 18: a thousand comparisons in one clause.
    expect(error(`width;${'>1&'.repeat(999)}>1`)).toMatchObject({ message: 'more than 16 comparisons in one clause', position: 6 + 3 * 16 })
    const scores = Array.from({ length: maxComparisons + 1 }, () => '>0.5').join('&')
    expect(error(`tags.*_hair;${scores}`).message).toBe(`more than ${maxComparisons} comparisons in one clause`)
    expect(error(`sim;${scores}`).message).toBe(`more than ${maxComparisons} comparisons in one clause`)

    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`)
    expect(clause(`m;${words(maxTextTerms).join(' ')}`)).toMatchObject({ type: 'text', terms: words(maxTextTerms) })
    expect(error(`prompt;${words(maxTextTerms + 1).join('  ')}`)).toMatchObject({
      message: `more than ${maxTextTerms} words in one prompt; clause`,
      position: `prompt;${words(maxTextTerms).join('  ')}  `.length,
    })
    // A quoted phrase is one word.
    expect(clause(`m;"${words(maxTextTerms + 5).join(' ')}"`)).toMatchObject({ terms: [words(maxTextTerms + 5).join(' ')] })

    const alternatives = (n: number) => Array.from({ length: n }, (_, i) => `tags.t${i}`).join(' | ')
    expect(parse(`(${alternatives(maxAlternatives)})`).children[0]).toMatchObject({ type: 'or', children: expect.any(Array) })
    expect(error(`width;>1, (${alternatives(maxAlternatives + 1)})`)).toMatchObject({
      message: `more than ${maxAlternatives} alternatives joined by "|"`,
      position: `width;>1, (${alternatives(maxAlternatives)} `.length,
    })
    expect(error(alternatives(maxAlternatives + 1)).message).toBe(`more than ${maxAlternatives} alternatives joined by "|"`)
  })

  it('every error has a hint', () => {
    for (const text of ['widht', 'width;~3', 'width;>', '(a', 'a)', 'a,,b', 'tags1;>1', 'm;', '"x', 'tags.x;>2', 'date;=2023-13']) {
      expect(error(text).hint, text).toBeTruthy()
    }
  })
})

describe('printing', () => {
  it('prints canonical text', () => {
    expect(printQuery(parse(' (tags.red_hair|tags.blue_hair) ,width; >1000'))).toBe('(tags.red_hair | tags.blue_hair), width;>1000')
    expect(printQuery(parse('userid;=a\\,b'))).toBe('userid;="a,b"')
    expect(printQuery(parse('tags."x y"*'))).toBe('tags.x\\ y*')
    expect(printQuery(parse('tags.a,tags.b|tags.c'))).toBe('tags.a, tags.b | tags.c')
    expect(printQuery(parse('(tags.a|tags.b),(tags.c|tags.d)'))).toBe('(tags.a | tags.b), (tags.c | tags.d)')
    expect(printQuery(parse('m; ありがとう "a b" '))).toBe('m;ありがとう "a b"')
  })

  it('keeps a negated tags1 "all" clause apart from the "none" form', () => {
    const query = parse('!(tags1:a, tags1:b)')
    expect(withoutSpans(query.children[0])).toEqual(not({ type: 'tags1', mode: 'all', values: ['a', 'b'] }))
    expect(printQuery(query)).toBe('!(tags1:a, tags1:b)')
    expect(printQuery(parse('!(tags1:a)'))).toBe('!(tags1:a)')
  })
})

describe('parseSort', () => {
  const sort = (text: string): unknown => {
    const result = parseSort(text)
    if (!result.ok) expect.fail(`"${text}" should parse, got ${JSON.stringify(result.error)}`)
    const again = parseSort(printSort(result.value))
    expect(again.ok && withoutSpans(again.value)).toEqual(withoutSpans(result.value))
    return withoutSpans(result.value)
  }
  const sortError = (text: string): QueryDiagnostic => {
    const result = parseSort(text)
    if (result.ok) expect.fail(`"${text}" should fail`)
    return result.error
  }

  it('directions and several keys', () => {
    expect(sort('filesize;1')).toEqual([{ field: 'filesize', direction: 1 }])
    expect(sort('filesize')).toEqual([{ field: 'filesize', direction: -1 }])
    expect(sort('filesize;-1')).toEqual([{ field: 'filesize', direction: -1 }])
    expect(sort(' filesize ; 1 , added ,width;-1 ')).toEqual([
      { field: 'filesize', direction: 1 },
      { field: 'added', direction: -1 },
      { field: 'width', direction: -1 },
    ])
    expect(sort('')).toEqual([])
    expect(sort('width,')).toEqual([{ field: 'width', direction: -1 }])
  })

  it('spans', () => {
    const result = parseSort('filesize;1, added') as { ok: true; value: SortKey[] }
    expect(result.value.map((k) => k.span)).toEqual([
      { start: 0, end: 10 },
      { start: 12, end: 17 },
    ])
  })

  it('errors', () => {
    expect(sortError('hash')).toMatchObject({ message: 'hash cannot be sorted on', position: 0 })
    expect(sortError('width, widht')).toMatchObject({ message: 'unknown sort field "widht"', position: 7 })
    expect(sortError('width, widht').hint).toContain('did you mean "width"?')
    expect(sortError('width;1, width;-1')).toMatchObject({ message: 'width is already in the sort', position: 9 })
    expect(sortError('width;2')).toMatchObject({ position: 6 })
    expect(sortError('width;')).toMatchObject({ position: 5 })
    expect(sortError('width,,added')).toMatchObject({ message: 'empty sort key', position: 6 })
    expect(sortError('width added')).toMatchObject({ position: 6 })
    expect(sortError('tags.')).toMatchObject({ message: 'missing tag name', position: 0 })
    expect(sortError('tags.*_hair;-1')).toMatchObject({ message: 'a sort takes one tag, not a wildcard', position: 0 })
    expect(sortError('tags.x, tags.x;1')).toMatchObject({ message: 'tags.x is already in the sort', position: 8 })
    expect(sortError('tags."x')).toMatchObject({ message: 'unterminated quote', position: 5 })
  })

  it("a tag's score, as PxIMSE sorts by tags.NAME (issue 19)", () => {
    expect(sort('tags.long_hair;-1')).toEqual([{ field: 'tags.long_hair', direction: -1 }])
    expect(sort('tags.long_hair')).toEqual([{ field: 'tags.long_hair', direction: -1 }])
    expect(sort('tags.st._louis_(azur_lane);1, added')).toEqual([{ field: 'tags.st._louis_(azur_lane)', direction: 1 }, { field: 'added', direction: -1 }])
    expect(sort('tags.":d";1')).toEqual([{ field: 'tags.:d', direction: 1 }])
    expect(sort('user;1, createDate')).toEqual([{ field: 'username', direction: 1 }, { field: 'date', direction: -1 }])
    expect(printSort((parseSort('tags."a,b";1') as { ok: true; value: SortKey[] }).value)).toBe('tags."a,b";1')
  })
})
