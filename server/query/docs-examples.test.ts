/**
 * Every example in docs/query-language.md, run through the parsers. The page states the convention:
 * lines of ```query / ```sort blocks parse; code spans in the first column of tables headed
 * `query` / `sort` parse; those of tables headed `bad query` / `bad sort` fail with the row's
 * position and message. In tables, `\|` stands for `|`.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { ParseResult } from './ast'
import { parseQuery, parseSort, printQuery, printSort } from './index'

const DOC = fileURLToPath(new URL('../../docs/query-language.md', import.meta.url))
const NOW = Date.UTC(2024, 0, 31, 12, 0, 0)

type Language = 'query' | 'sort'

interface Example {
  language: Language
  text: string
  line: number
  /** For examples documented as errors. */
  error?: { position: number; message: string }
}

/** The cells of a Markdown table row, with `\|` kept inside its cell and then unescaped. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'))
}

/** The code spans of a cell, as written between the backticks. */
function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]*)`/g)].map((match) => match[1]!)
}

function extractExamples(markdown: string): Example[] {
  const lines = markdown.split('\n')
  const examples: Example[] = []
  let fence: Language | 'other' | undefined
  /** The table being read: what its examples are, 'none' for a table without examples, undefined outside tables. */
  let table: { language: Language; bad: boolean } | 'none' | undefined
  lines.forEach((line, index) => {
    const number = index + 1
    const fenceMatch = /^```(\S*)/.exec(line)
    if (fenceMatch) {
      const info = fenceMatch[1]!
      fence = fence === undefined ? (info === 'query' || info === 'sort' ? info : 'other') : undefined
      return
    }
    if (fence === 'query' || fence === 'sort') {
      if (line.trim() !== '') examples.push({ language: fence, text: line, line: number })
      return
    }
    if (fence) return
    if (!line.trimStart().startsWith('|')) {
      table = undefined
      return
    }
    const row = cells(line)
    if (row.every((cell) => /^:?-+:?$/.test(cell))) return
    if (table === undefined) {
      const header = /^(bad )?(query|sort)$/.exec(row[0] ?? '')
      table = header ? { language: header[2] as Language, bad: header[1] !== undefined } : 'none'
      return
    }
    if (table === 'none') return
    const { language, bad } = table
    for (const text of codeSpans(row[0] ?? '')) {
      if (!bad) {
        examples.push({ language, text, line: number })
        continue
      }
      const position = Number(row[1])
      if (!Number.isInteger(position)) throw new Error(`line ${number}: a bad-example row needs a position in its second column`)
      examples.push({ language, text, line: number, error: { position, message: row[2] ?? '' } })
    }
  })
  return examples
}

function parse(example: Example): ParseResult<unknown> {
  return example.language === 'query' ? parseQuery(example.text, { now: NOW }) : parseSort(example.text)
}

const examples = extractExamples(readFileSync(DOC, 'utf8'))
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
    for (const form of ['tags.long_hair', '!tags.long_hair', 'tags.long_hair;>=0.8', 'tags1:a:b', '|tags1:a:b', 'width;>100&<200', 'userid;="12345"', 'date;>2020-01-01&<2021-01-01', 'filesize;>1000000', 'width;>=1920', 'textlen;>10', 'm;ありがとう', 'mt;frieren', 'animated', '!animated']) {
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
