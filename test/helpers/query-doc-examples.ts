/**
 * The examples of docs/query-language.md. The page states the convention: lines of ```query /
 * ```sort blocks parse; code spans in the first column of tables headed `query` / `sort` parse;
 * those of tables headed `bad query` / `bad sort` fail with the row's position and message. In
 * tables, `\|` stands for `|`.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const DOC = fileURLToPath(new URL('../../docs/query-language.md', import.meta.url))

export type Language = 'query' | 'sort'

export interface Example {
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

export function extractExamples(markdown: string): Example[] {
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

/** Every example of docs/query-language.md. */
export function queryLanguageExamples(): Example[] {
  return extractExamples(readFileSync(DOC, 'utf8'))
}
