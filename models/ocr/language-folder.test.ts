import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { packagedDataFile, prepareLanguageFolder } from './language-folder'

let dataDir: string
beforeEach(() => { dataDir = mkdtempSync(join(tmpdir(), 'sagasu-tessdata-')) })
afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

describe('prepareLanguageFolder', () => {
  it('links each language to the gzipped traineddata in node_modules', async () => {
    const folder = await prepareLanguageFolder(dataDir, ['eng', 'jpn_vert'], '4.0.0_best_int')
    expect(folder).toBe(join(dataDir, 'models', 'tesseract', '4.0.0_best_int'))
    for (const language of ['eng', 'jpn_vert'] as const) {
      const entry = join(folder, `${language}.traineddata.gz`)
      expect(lstatSync(entry).isSymbolicLink()).toBe(true)
      expect(readlinkSync(entry)).toBe(packagedDataFile(language, '4.0.0_best_int'))
      expect(packagedDataFile(language, '4.0.0_best_int')).toMatch(/node_modules[\\/]@tesseract\.js-data[\\/]/)
      // Real traineddata behind the link: a gzip stream that inflates to more than a megabyte.
      expect(gunzipSync(readFileSync(entry)).length).toBeGreaterThan(1_000_000)
    }
  })

  it('replaces a link that points elsewhere and a copy of the wrong size, keeps a good copy', async () => {
    const folder = await prepareLanguageFolder(dataDir, ['eng', 'jpn', 'chi_sim'], '4.0.0_best_int')
    const stale = join(dataDir, 'old.traineddata.gz')
    writeFileSync(stale, 'old')
    unlinkSync(join(folder, 'eng.traineddata.gz'))
    symlinkSync(stale, join(folder, 'eng.traineddata.gz'))
    unlinkSync(join(folder, 'jpn.traineddata.gz'))
    writeFileSync(join(folder, 'jpn.traineddata.gz'), 'truncated copy')
    // A copy as made where links are refused (Windows): kept as it is.
    const goodCopy = join(folder, 'chi_sim.traineddata.gz')
    unlinkSync(goodCopy)
    writeFileSync(goodCopy, readFileSync(packagedDataFile('chi_sim', '4.0.0_best_int')))

    await prepareLanguageFolder(dataDir, ['eng', 'jpn', 'chi_sim'], '4.0.0_best_int')
    expect(readlinkSync(join(folder, 'eng.traineddata.gz'))).toBe(packagedDataFile('eng', '4.0.0_best_int'))
    expect(readlinkSync(join(folder, 'jpn.traineddata.gz'))).toBe(packagedDataFile('jpn', '4.0.0_best_int'))
    expect(lstatSync(goodCopy).isFile()).toBe(true)
    expect(statSync(goodCopy).size).toBe(statSync(packagedDataFile('chi_sim', '4.0.0_best_int')).size)
  })

  it('replaces a dangling link', async () => {
    const folder = await prepareLanguageFolder(dataDir, ['eng'], '4.0.0')
    const entry = join(folder, 'eng.traineddata.gz')
    unlinkSync(entry)
    symlinkSync(join(dataDir, 'gone', 'eng.traineddata.gz'), entry)
    await prepareLanguageFolder(dataDir, ['eng'], '4.0.0')
    expect(statSync(entry).size).toBe(statSync(packagedDataFile('eng', '4.0.0')).size)
  })
})
