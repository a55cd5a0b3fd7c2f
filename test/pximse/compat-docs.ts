/**
 * The "PxIMSE compatibility" table of docs/query-language.md, rendered from the one table of cases
 * (cases.ts). `npx tsx test/pximse/compat-docs.ts --write` rewrites it in the docs; the PxIMSE
 * differential test fails while the docs hold anything else.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { PXIMSE_CASES, PXIMSE_COMMIT, type PximseCase } from './cases'

export const DOCS_FILE = fileURLToPath(new URL('../../docs/query-language.md', import.meta.url))
export const START = '<!-- pximse-cases: generated from test/pximse/cases.ts (npx tsx test/pximse/compat-docs.ts --write) -->'
export const END = '<!-- /pximse-cases -->'

/** The table, between its markers. */
export function renderCompatTable(cases: readonly PximseCase[] = PXIMSE_CASES): string {
  const rows = cases.map((c) => {
    const text = `${code(c.query || '(empty)')}${c.sort ? `, sort ${code(c.sort)}` : ''}`
    const sagasu = `${c.sagasuMeaning}${c.sagasuQuery ? `: ${code(c.sagasuQuery)}` : ''}${c.sagasuSort ? `, sort ${code(c.sagasuSort)}` : ''}`
    return `| ${text} | ${c.source} | ${cell(c.pximseMeaning)} | ${cell(sagasu)} | ${c.difference ? cell(c.difference) : 'same matches'} |`
  })
  return [
    START,
    `| PxIMSE text | from | PxIMSE (${PXIMSE_COMMIT.slice(0, 8)}) | Sagasu | difference |`,
    '|---|---|---|---|---|',
    ...rows,
    END,
  ].join('\n')
}

/** The table as the docs hold it now, or undefined without the markers. */
export function documentedTable(docs = readFileSync(DOCS_FILE, 'utf8')): string | undefined {
  const start = docs.indexOf(START)
  const end = docs.indexOf(END)
  return start < 0 || end < start ? undefined : docs.slice(start, end + END.length)
}

function code(text: string): string {
  return `\`${text.replaceAll('|', '\\|')}\``
}

/** Table-cell text: a `|` inside a code span or outside it is escaped. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|')
}

if (process.argv.includes('--write')) {
  const docs = readFileSync(DOCS_FILE, 'utf8')
  const current = documentedTable(docs)
  if (current === undefined) throw new Error(`${DOCS_FILE} has no ${START} … ${END} markers`)
  writeFileSync(DOCS_FILE, docs.replace(current, renderCompatTable()))
}
