/**
 * The per-row probes of the SQL filter stay subqueries. SQLite 3.50+ may rewrite an
 * `EXISTS (SELECT … WHERE image_id = i.id …)` into a join loop of the outer query ("SEARCH t EXISTS"
 * in the query plan); a join loop that fails further in steps on to its next matching row, so a
 * query of many tag clauses with one failing clause backtracks exponentially: 256 clauses took
 * 20 s on 40 images. The plan is checked, not the time, so the test cannot hang on a regression.
 */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TagScore } from '../../../shared/types/image'
import { tempDir } from '../../../test/helpers/library'
import { parseQuery } from '../../query'
import { searchImages } from '../../search/search-images'
import type { Store } from '../store'
import { compileSqlFilter } from './sql-filter'
import { openSqliteStore } from './sqlite-store'

const IMAGES = 40

describe('SQL probes against SQLite rewriting EXISTS into joins', () => {
  const dir = tempDir()
  let store: Store
  let db: Database.Database

  beforeAll(async () => {
    store = openSqliteStore(dir)
    const ids = await store.saveImages(Array.from({ length: IMAGES }, (_, i) => ({
      folder: 'lib', path: `${i}.png`, filename: `${i}.png`, ext: 'png', filesize: 1000 + i, mtime: 1_600_000_000_000 + i, hash: i.toString(16).padStart(16, '0'),
      width: 100 + i, height: 50 + i, format: 'png', animated: false, frames: 1, type: 'other', tags1: [`v${i % 70}`],
    })))
    const tags = (i: number): TagScore[] => Array.from({ length: 30 }, (_, k) => ({ name: `t${(i * 7 + k * 11) % 300}`, category: 'general', score: ((i + k) % 10) / 10 }))
    await store.setTagsMany(ids.map((id, i) => ({ id, tags: tags(i) })))
    await store.setOcrTexts(ids.map((id, i) => ({ id, text: `ab w${i}` })))
    db = new Database(join(dir, 'sagasu.db'), { readonly: true })
  })
  afterAll(async () => {
    db.close()
    await store.close()
  })

  /** Every clause kind that probes a side table, many times over, and one tags1 clause no image passes with the others. */
  const query = [...Array.from({ length: 40 }, (_, i) => ['tags.t*', 'tags.t*;>0.1', 'tags', 'tags1', 'm;ab'][i % 5]), '|tags1:v1', '!tags1:v2', 'tags1:v3', 'mt;ab'].join(', ')

  it('keeps every EXISTS a subquery in the plan (no "SEARCH … EXISTS" join loop)', () => {
    const parsed = parseQuery(query)
    if (!parsed.ok) throw new Error(parsed.error.message)
    const filter = compileSqlFilter(parsed.value, 'probe')
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT count(*) FROM images i WHERE ${filter.sql}`).all(...filter.params) as Array<{ detail: string }>
    expect(plan.length).toBeGreaterThan(0)
    expect(plan.map((row) => row.detail).filter((detail) => /^(SEARCH|SCAN) \S+ EXISTS/.test(detail))).toEqual([])
  })

  it('still answers the query: no image has v1 and v3 at once', async () => {
    const page = await searchImages(store, { query, sort: 'width;1', limit: 3 })
    expect(page.total).toBe(0)
    const loose = await searchImages(store, { query: 'tags.t*, tags1:v1, mt;v1', sort: 'width;1', limit: 3 })
    expect(loose.results.map((image) => image.tags1)).toEqual([['v1']])
  })
})
