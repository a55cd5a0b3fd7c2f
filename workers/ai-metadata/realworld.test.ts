import { existsSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { extraAiMetaSets, loadAiMetaSet, wrongFields } from '../../test/helpers/aimeta-expectations'
import { readAiParameters } from '../stages/ai-metadata.stage'

/**
 * Real generator output nobody on the project wrote (../shared/realworld/aimeta: its README gives
 * the provenance and the expectation format): every expected field of every file must be read.
 */
const realworld = join(import.meta.dirname, '../../../shared/realworld/aimeta')

describe('readAiMetadata on ../shared/realworld/aimeta', () => {
  if (!existsSync(realworld) && process.env.SAGASU_NO_REALWORLD) {
    it.skip(`skipped: ${realworld} is missing and SAGASU_NO_REALWORLD is set`, () => {})
    return
  }
  const set = loadAiMetaSet(realworld)
  const names = Object.keys(set.files).sort()

  it('holds the files its README describes', () => {
    expect(names.length).toBeGreaterThanOrEqual(60)
  })

  it.each(names)('%s', async (name) => {
    const buf = readFileSync(join(set.folder, name))
    const { parameters } = await readAiParameters(buf, extname(name).slice(1).toLowerCase())
    expect(wrongFields(parameters, set.files[name]!.expect)).toEqual([])
  })
})

/** The project's own additions in the same format (test/fixtures/aimeta-extra/*: provenance in each README). */
describe.each(extraAiMetaSets(join(import.meta.dirname, '../..')))('readAiParameters on %s', (dir) => {
  const set = loadAiMetaSet(dir)
  it.each(Object.keys(set.files).sort())('%s', async (name) => {
    const buf = readFileSync(join(set.folder, name))
    const { parameters } = await readAiParameters(buf, extname(name).slice(1).toLowerCase())
    expect(wrongFields(parameters, set.files[name]!.expect)).toEqual([])
  })
})
