/**
 * The differential test against PxIMSE's own rules (issue 19). One generated library is stored
 * both as PxIMSE's importer would (its documents, evaluated with mingo under the filters PxIMSE's
 * `build_query` builds, test/pximse/cases.ts) and in Sagasu's real SQLite store. For every case of
 * the table, Sagasu's three evaluators — the SQL compiler, the in-memory index and the MongoDB
 * compiler (under mingo, over Sagasu's MongoDB documents) — must agree with one another, and with
 * PxIMSE's matches unless the case lists the documented difference.
 */
import { Query } from 'mingo'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ImageRecord } from '../shared/types/image'
import { parseSearch, requireSortTags } from '../server/search/search-images'
import { QueryError } from '../server/search/query-error'
import { openSqliteStore } from '../server/store/embedded/sqlite-store'
import { toMongoDocument, type MongoImageDocument } from '../server/store/servers/mongo-document'
import { compileMongoFilter, compileMongoSort, tagPattern } from '../server/store/servers/mongo-filter'
import type { Store } from '../server/store/store'
import { PXIMSE_CASES, PXIMSE_COMMIT, type PximseCase } from './pximse/cases'
import { DOCS_FILE, documentedTable, renderCompatTable } from './pximse/compat-docs'
import { pximseAnswer, sortValue } from './pximse/evaluate'
import { generateFiles, pximseDocument, sagasuInput, type PximseDocument } from './pximse/library'
import { tempDir } from './helpers/library'

const NOW = Date.UTC(2026, 11, 1)
const files = generateFiles()

/** The forms PxIMSE's README (at PXIMSE_COMMIT) documents under "Format of Query Criteria" and "Format of Sort". */
const README_FORMS: Array<{ form: string; query?: RegExp; sort?: RegExp }> = [
  { form: 'tags.xxx', query: /^tags\.[^;,!|]+$/ },
  { form: 'tags1:xxx (AND)', query: /^tags1:[^,]+$/ },
  { form: '|tags1:xxx (OR)', query: /^\|tags1:.+, \|tags1:/ },
  { form: '!tags.xxx', query: /^!tags\.[^,]+$/ },
  { form: '!tags1:xxx', query: /^!tags1:[^,]+$/ },
  { form: 'textlen;>xx', query: /^textlen;>\d+$/ },
  { form: 'm;xxx', query: /^m;\S+$/ },
  { form: 'mt;xxx', query: /^mt;\S+$/ },
  { form: 'filesize;>1000000', query: /^filesize;>1000000$/ },
  { form: 'tags.xxx;<=0.9', query: /^tags\.\w+;<=0\.9$/ },
  { form: 'date;>2000-01-01&<2010-01-01', query: /^date;>\d{4}-\d\d-\d\d&<\d{4}-\d\d-\d\d$/ },
  { form: 'likeCount;=100', query: /^likeCount;=100$/ },
  { form: 'viewCount;!=200', query: /^viewCount;!=200$/ },
  { form: 'filesize;1', sort: /^filesize;1$/ },
  { form: 'filesize', sort: /^filesize$/ },
  { form: 'filesize;-1', sort: /^filesize;-1$/ },
]

describe(`Sagasu against PxIMSE's query rules (Usu171/PxIMSE ${PXIMSE_COMMIT.slice(0, 8)})`, () => {
  let store: Store
  let plain: Store
  let pximseDocuments: PximseDocument[]
  let sagasuDocuments: MongoImageDocument[]
  const numberOf = new Map<number, number>()
  const tagNames = [...new Set(files.flatMap((file) => Object.keys(file.tags)))]
  const tagNamesMatching = (pattern: string) => tagNames.filter((name) => new RegExp(tagPattern(pattern)).test(name))

  beforeAll(async () => {
    const dataDir = tempDir('sagasu-pximse-')
    store = openSqliteStore(dataDir, { memoryIndex: true })
    await store.warmUp()
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      for (const file of files) {
        vi.setSystemTime(Date.UTC(2025, 0, 1) + file.n * 60_000)
        const { input, tags } = sagasuInput(file)
        const id = await store.saveImage(input)
        numberOf.set(id, file.n)
        if (tags.length) await store.setTags(id, tags)
        if (file.text !== null) await store.setOcrText(id, file.text)
        if (file.pixiv && input.illustid) {
          const p = file.pixiv
          await store.savePixivWork(input.illustid, {
            status: 'ok', requests: 1,
            work: { illustid: input.illustid, title: 'title', description: '', userId: p.userId, userName: p.userName, createDate: p.createDate,
              views: p.views, likes: p.likes, bookmarks: p.bookmarks, comments: p.comments, tags: p.tags },
          })
        }
      }
    } finally {
      vi.useRealTimers()
    }
    plain = openSqliteStore(dataDir)
    const records = await Promise.all([...numberOf.keys()].map((id) => store.getImage(id)))
    sagasuDocuments = records.map((record) => toMongoDocument(record as ImageRecord))
    pximseDocuments = files.map(pximseDocument)
  })
  afterAll(async () => {
    await plain?.close()
    await store?.close()
  })

  it('cover every form of PxIMSE\'s README and every item of issue 19', () => {
    for (const { form, query, sort } of README_FORMS) {
      const covered = PXIMSE_CASES.some((c) => c.source.startsWith('README') && (query ? query.test(c.query) : sort!.test(c.sort ?? '')))
      expect(covered, `README form ${form}`).toBe(true)
    }
    for (let item = 1; item <= 12; item++) {
      expect(PXIMSE_CASES.some((c) => new RegExp(`issue 19\\.${item}\\b`).test(c.source)), `issue 19, item ${item}`).toBe(true)
    }
  })

  it('are the table of docs/query-language.md, "PxIMSE compatibility"', () => {
    const documented = documentedTable()
    expect(documented, `${DOCS_FILE} lacks the generated table's markers`).toBeDefined()
    expect(documented, 'the docs drifted from test/pximse/cases.ts: run npx tsx test/pximse/compat-docs.ts --write').toBe(renderCompatTable())
    // Every difference the table lists is in the docs, with its reason.
    for (const c of PXIMSE_CASES.filter((item) => item.difference)) expect(documented).toContain(c.difference!.replaceAll('|', '\\|'))
  })

  it('record PxIMSE\'s matches as mingo finds them under its filters', () => {
    for (const c of PXIMSE_CASES) {
      const answer = pximseAnswer(c, pximseDocuments)
      expect(answer === undefined ? undefined : [...answer].sort((a, b) => a - b), label(c)).toEqual(c.pximseMatches)
      const sortKey = c.pximse.sort ? Object.keys(c.pximse.sort)[0] : undefined
      if (sortKey && answer) expect(answer.filter((n) => sortValue(pximseDocuments[n - 1]!, sortKey) !== null), label(c)).toEqual(c.pximseOrder)
      // A case without a listed difference is one PxIMSE answers.
      if (!c.difference) expect(answer, `${label(c)}: PxIMSE gives no matches, so the case needs its difference`).toBeDefined()
    }
  })

  it.each(PXIMSE_CASES.map((c) => [label(c), c] as const))('%s', async (_, c) => {
    const queryText = c.sagasuQuery ?? c.query
    const sortText = c.sagasuSort ?? c.sort ?? ''
    if (c.sagasuError) {
      const error = await searchError(queryText, sortText)
      expect(error, 'Sagasu answers a 400').toBeInstanceOf(QueryError)
      expect({ position: (error as QueryError).position, message: (error as QueryError).message }).toEqual(c.sagasuError)
      expect((error as QueryError).hint, 'with a hint').toBeTruthy()
      return
    }
    const { query, sort } = parseSearch(queryText, sortText, NOW)
    await requireSortTags(store, sort)
    const sql = (await plain.search({ query, sort, limit: 1000 })).results.map((image) => numberOf.get(image.id)!)
    const memory = (await store.search({ query, sort, limit: 1000 })).results.map((image) => numberOf.get(image.id)!)
    const mongo = new Query(compileMongoFilter(query, { tagNamesMatching })).find<MongoImageDocument>(sagasuDocuments)
      .sort(compileMongoSort(sort)).all().map((doc) => numberOf.get(doc.id)!)
    expect(memory, 'the in-memory index finds what SQL finds').toEqual(sql)
    expect(mongo, 'the MongoDB compiler finds what SQL finds').toEqual(sql)
    expect(await store.count(query), 'the in-memory index counts what SQL counts').toBe(await plain.count(query))
    if (c.difference) return
    expect([...sql].sort((a, b) => a - b), 'Sagasu matches what PxIMSE matches').toEqual(c.pximseMatches)
    const sortKey = c.pximse.sort ? Object.keys(c.pximse.sort)[0] : undefined
    if (sortKey) expect(sql.filter((n) => sortValue(pximseDocuments[n - 1]!, sortKey) !== null), 'in PxIMSE\'s order').toEqual(c.pximseOrder)
  })

  async function searchError(queryText: string, sortText: string): Promise<unknown> {
    try {
      const { sort } = parseSearch(queryText, sortText, NOW)
      await requireSortTags(store, sort)
    } catch (error) {
      return error
    }
    return undefined
  }
})

function label(c: PximseCase): string {
  return `${c.query || '(no query)'}${c.sort ? ` [sort ${c.sort}]` : ''}${c.sagasuQuery ? ` → ${c.sagasuQuery}` : ''}`
}
