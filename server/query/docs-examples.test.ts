/**
 * Every example in docs/query-language.md, run through the parsers. The page states the convention:
 * lines of ```query / ```sort blocks parse; code spans in the first column of tables headed
 * `query` / `sort` parse; those of tables headed `bad query` / `bad sort` fail with the row's
 * position and message. In tables, `\|` stands for `|`.
 */
import { describe, expect, it } from 'vitest'
import type { ParseResult } from './ast'
import { parseQuery, parseSort, printQuery, printSort } from './index'
import { queryLanguageExamples, type Example } from '../../test/helpers/query-doc-examples'

const NOW = Date.UTC(2024, 0, 31, 12, 0, 0)

function parse(example: Example): ParseResult<unknown> {
  return example.language === 'query' ? parseQuery(example.text, { now: NOW }) : parseSort(example.text)
}

const examples = queryLanguageExamples()
const good = examples.filter((example) => !example.error)
const bad = examples.filter((example) => example.error)

describe('docs/query-language.md', () => {
  it('has examples of every kind', () => {
    expect(good.filter((e) => e.language === 'query').length).toBeGreaterThan(100)
    expect(bad.filter((e) => e.language === 'query').length).toBeGreaterThan(30)
    expect(good.filter((e) => e.language === 'sort').length).toBeGreaterThan(5)
    expect(bad.filter((e) => e.language === 'sort').length).toBeGreaterThan(5)
    // The PxIMSE forms of PRODUCT.md are all shown.
    const texts = new Set(good.map((e) => e.text))
    for (const form of ['tags.long_hair', '!tags.long_hair', 'tags.long_hair;>=0.8', 'tags1:a', '|tags1:a', '|tags1:オリジナル, |tags1:original', 'tags1:Re:ゼロから始める異世界生活', 'user;="Alice"', 'userid;=\'12345\'', 'likeCount;=null', 'date;>2000-01-01 12:00', 'date;>20000101', 'type;=pixiv1', 'illustid;="1234567890123456789"', 'width;>100&<200', 'userid;="12345"', 'date;>2020-01-01&<2021-01-01', 'filesize;>1000000', 'width;>=1920', 'textlen;>10', 'm;ありがとう', 'mt;frieren', 'animated', '!animated']) {
      expect(texts, form).toContain(form)
    }
  })

  it.each(good.map((e) => [`${e.language} (line ${e.line}) ${e.text}`, e] as const))('parses %s', (_, example) => {
    const result = parse(example)
    if (!result.ok) expect.fail(`${example.text} (line ${example.line}): ${result.error.message} at ${result.error.position}`)
    // What the docs show also prints back to text that parses.
    const printed = example.language === 'query' ? printQuery(result.value as never) : printSort(result.value as never)
    expect(parse({ ...example, text: printed }).ok, `printed as ${printed}`).toBe(true)
  })

  it.each(bad.map((e) => [`${e.language} (line ${e.line}) ${e.text}`, e] as const))('rejects %s as documented', (_, example) => {
    const result = parse(example)
    if (result.ok) expect.fail(`${example.text} (line ${example.line}) should fail`)
    expect({ position: result.error.position, message: result.error.message }).toEqual(example.error)
    expect(result.error.hint, 'every error has a hint').toBeTruthy()
  })
})
