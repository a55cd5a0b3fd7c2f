import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { loadConfig } from '../../config/load-config'
import { configSchema } from '../../config/schema'
import { tempDir } from '../../test/helpers/library'
import { addFolderToFile, readEditableSettings, saveEditableSettings, SettingsError } from './settings-file'

function setup(text: string): { dir: string; file: string } {
  const dir = tempDir()
  mkdirSync(join(dir, 'pics'))
  const file = join(dir, 'sagasu.config.yaml')
  writeFileSync(file, text)
  return { dir, file }
}

describe('settings file', () => {
  it('adds a folder to a file without a folder list, and to an empty file', async () => {
    for (const text of ['# only a comment\ndataDir: ./data\n', '']) {
      const { file } = setup(text)
      await addFolderToFile(file, { name: 'pics', path: './pics', recursive: false })
      expect(parse(readFileSync(file, 'utf8')).folders).toEqual([{ name: 'pics', path: './pics', recursive: false }])
      if (text) expect(readFileSync(file, 'utf8')).toContain('# only a comment')
      expect(loadConfig({ file }).config.folders[0]!.recursive).toBe(false)
    }
  })

  it('removes a model path left empty and keeps the keys it does not edit', async () => {
    const { file } = setup('models:\n  clip:\n    path: /models/clip # offline\n  batchSize: 4\npixiv:\n  delayMs: 5\n')
    const settings = readEditableSettings(file, configSchema.parse({}))
    expect(settings.models.clip.path).toBe('/models/clip')
    delete settings.models.clip.path
    await saveEditableSettings(file, settings)
    const written = parse(readFileSync(file, 'utf8'))
    expect(written.models.clip).toEqual({ enabled: true, name: 'Xenova/clip-vit-base-patch32' })
    expect(written.models.batchSize).toBe(4)
    expect(written.pixiv).toEqual({ delayMs: 5 })
  })

  it('refuses a folder name the file already has', async () => {
    const { file } = setup('folders:\n  - name: pics\n    path: ./pics\n')
    const error = await addFolderToFile(file, { name: 'pics', path: './pics', recursive: true }).catch((caught: unknown) => caught)
    expect((error as Error).message).toBe(`name: a folder named "pics" is already in ${file}`)
    expect(readFileSync(file, 'utf8')).toBe('folders:\n  - name: pics\n    path: ./pics\n')
  })

  it('refuses a file that is not a mapping, naming nothing it changed', async () => {
    const { file } = setup('- a\n- b\n')
    const error = await addFolderToFile(file, { name: 'pics', path: './pics', recursive: true }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SettingsError)
    expect((error as Error).message).toContain('the top level must be a mapping of keys')
    expect(readFileSync(file, 'utf8')).toBe('- a\n- b\n')
  })
})
