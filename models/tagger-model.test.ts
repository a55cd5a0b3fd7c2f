import { cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeModelFiles } from '../scripts/test-models/model-files'
import { tinyTaggerFiles } from '../scripts/test-models/tiny-tagger'
import { ModelLoadError } from './model-load-error'
import { loadTaggerModel } from './tagger-model'

const FIXTURES = resolve('test/fixtures/models')
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sagasu-tagger-load-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function copyOf(fixture: string, name: string): Promise<string> {
  const target = join(dir, name)
  await cp(join(FIXTURES, fixture), target, { recursive: true })
  return target
}

async function loadError(folder: string, layout: 'auto' | 'wd14' | 'deepdanbooru' = 'auto'): Promise<ModelLoadError> {
  const error = await loadTaggerModel(folder, layout).then(
    async (model) => {
      await model.release()
      throw new Error('the model loaded')
    },
    (error: unknown) => error,
  )
  expect(error).toBeInstanceOf(ModelLoadError)
  return error as ModelLoadError
}

describe('loading a tagger', () => {
  it('recognises both layouts and reads their tags and categories', async () => {
    const wd14 = await loadTaggerModel(join(FIXTURES, 'tiny-wd14'), 'auto')
    const ddb = await loadTaggerModel(join(FIXTURES, 'tiny-deepdanbooru'), 'auto')
    try {
      expect([wd14.layout.kind, wd14.size, wd14.layout.channels]).toEqual(['wd14', 448, 'bgr'])
      expect([ddb.layout.kind, ddb.size, ddb.layout.channels]).toEqual(['deepdanbooru', 512, 'rgb'])
      expect(wd14.layout.tags.slice(0, 4)).toEqual(['general', 'sensitive', 'questionable', 'explicit'].map((name) => ({ name: `rating:${name}`, category: 'rating' })))
      expect(wd14.layout.tags).toContainEqual({ name: 'hatsune_miku', category: 'character' })
      expect(ddb.layout.tags).toContainEqual({ name: 'rating:safe', category: 'rating' })
      expect(ddb.layout.tags).toContainEqual({ name: 'kirisame_marisa', category: 'character' })
      expect(ddb.layout.tags).toContainEqual({ name: 'monochrome', category: 'general' })
      expect(ddb.layout.modelFile.endsWith('deepdanbooru.onnx')).toBe(true)
    } finally {
      await Promise.all([wd14.release(), ddb.release()])
    }
  })

  it('names the missing model file', async () => {
    const folder = await copyOf('tiny-wd14', 'no-model')
    await unlink(join(folder, 'model.onnx'))
    const error = await loadError(folder)
    expect(error.message).toBe(`Tagger disabled: ${join(folder, 'model.onnx')} is missing (the WD14 v3 layout needs it)`)
  })

  it('names a folder with neither tag file, and a folder that does not exist', async () => {
    const folder = await copyOf('tiny-wd14', 'no-tags')
    await unlink(join(folder, 'selected_tags.csv'))
    expect((await loadError(folder)).message).toContain(`${folder} has neither selected_tags.csv (WD14 v3 layout) nor tags.txt (DeepDanbooru layout)`)
    expect((await loadError(join(dir, 'nowhere'))).message).toBe(`Tagger disabled: the model folder ${join(dir, 'nowhere')} does not exist`)
  })

  it('names a corrupt ONNX file', async () => {
    const folder = await copyOf('tiny-deepdanbooru', 'corrupt')
    await writeFile(join(folder, 'deepdanbooru.onnx'), Buffer.from('this is not a protobuf model, just text'))
    const error = await loadError(folder)
    expect(error.message).toMatch(new RegExp(`^Tagger disabled: cannot load ${escape(join(folder, 'deepdanbooru.onnx'))}: .*Protobuf parsing failed`))
  })

  it('refuses a 512 model in the WD14 layout and a 448 model in the DeepDanbooru layout, naming the file', async () => {
    const wd14 = join(dir, 'wd14-512')
    await writeModelFiles(wd14, tinyTaggerFiles('wd14', { inputSize: 512 }))
    expect((await loadError(wd14)).message).toBe(
      `Tagger disabled: ${join(wd14, 'model.onnx')}: the input is 512×512 but the WD14 v3 layout (${join(wd14, 'selected_tags.csv')}) takes 448×448; is the model in the wrong folder?`,
    )
    const ddb = join(dir, 'ddb-448')
    const files = tinyTaggerFiles('deepdanbooru', { inputSize: 448 })
    files.delete('project.json')
    await writeModelFiles(ddb, files)
    expect((await loadError(ddb)).message).toContain(`${join(ddb, 'deepdanbooru.onnx')}: the input is 448×448 but the DeepDanbooru layout`)
  })

  it('refuses a tag list that does not match the model outputs', async () => {
    const folder = await copyOf('tiny-wd14', 'short-tags')
    await writeFile(join(folder, 'selected_tags.csv'), 'tag_id,name,category,count\n1,red,0,10\n')
    expect((await loadError(folder)).message).toBe(`Tagger disabled: ${join(folder, 'model.onnx')}: the model outputs 10 scores but ${join(folder, 'selected_tags.csv')} lists 1 tags`)
  })

  it('refuses a selected_tags.csv without the expected columns', async () => {
    const folder = await copyOf('tiny-wd14', 'bad-csv')
    await writeFile(join(folder, 'selected_tags.csv'), 'id;tag\n1;red\n')
    expect((await loadError(folder)).message).toContain('has no "name" and "category" columns')
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
