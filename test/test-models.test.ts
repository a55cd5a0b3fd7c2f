import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_MODEL_FOLDERS, writeTestModels } from '../scripts/test-models/index'
import { readOnnxGraphInfo } from '../models/onnx-graph-info'

const COMMITTED = resolve('test/fixtures/models')
let dir: string

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(root, join(entry.parentPath, entry.name))).sort()
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sagasu-test-models-'))
  await writeTestModels(dir)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('npm run make:test-models', () => {
  it('writes exactly the committed fixture models, byte for byte', async () => {
    const regenerated = await listFiles(dir)
    expect(regenerated).toEqual(await listFiles(COMMITTED))
    for (const file of regenerated) {
      const [fresh, committed] = await Promise.all([readFile(join(dir, file)), readFile(join(COMMITTED, file))])
      expect(fresh.equals(committed), `${file} differs from the committed fixture: run npm run make:test-models`).toBe(true)
    }
  })

  it('writes the real layouts: file names, input names and NHWC shapes', async () => {
    expect(Object.keys(TEST_MODEL_FOLDERS)).toEqual(['tiny-clip', 'tiny-wd14', 'tiny-deepdanbooru'])
    const wd14 = readOnnxGraphInfo(join(dir, 'tiny-wd14/model.onnx'))
    expect(wd14.inputs).toEqual([{ name: 'input', elemType: 1, shape: ['batch', 448, 448, 3] }])
    expect(wd14.sigmoidOutputs.get('output')).toBe(true)
    const ddb = readOnnxGraphInfo(join(dir, 'tiny-deepdanbooru/deepdanbooru.onnx'))
    expect(ddb.inputs).toEqual([{ name: 'input_1', elemType: 1, shape: ['batch', 512, 512, 3] }])
    const text = readOnnxGraphInfo(join(dir, 'tiny-clip/onnx/text_model.onnx'))
    expect(text.inputs.map((input) => input.name)).toEqual(['input_ids', 'attention_mask'])
    expect(text.outputs.map((output) => output.name)).toEqual(['text_embeds'])
    expect(readOnnxGraphInfo(join(dir, 'tiny-clip/onnx/vision_model.onnx')).outputs.map((output) => output.name)).toEqual(['image_embeds'])
    expect((await readFile(join(dir, 'tiny-wd14/selected_tags.csv'), 'utf8')).split('\n')[0]).toBe('tag_id,name,category,count')
    expect((await readFile(join(dir, 'tiny-deepdanbooru/tags.txt'), 'utf8')).trim().split('\n').slice(-3)).toEqual(['rating:safe', 'rating:questionable', 'rating:explicit'])
  })
})
