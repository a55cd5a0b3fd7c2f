/**
 * AI-generation metadata that was found but could not be resolved leaves a warning naming the
 * generator and the field — in `sagasu errors` and GET /api/errors — next to the file's other
 * records (the extension warning), and an unchanged file keeps it.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErrorRecord, ImportCounts } from '../shared/types/api'
import { openApiDocument, resolvePointer, schemaProblems } from '../server/openapi/openapi-document'
import { writePngTextChunks } from '../workers/ai-metadata/png-chunks'
import { runCli, runCliJson } from './helpers/cli'
import { colorOf, tempDir, writeConfig, writeImage } from './helpers/library'
import { startServer, type RunningServer } from './helpers/server'

const WARNING = 'comfyui metadata: the prompt text is there but holds no ComfyUI graph that can be read (cut, damaged or of another shape)'

describe('AI-metadata warnings in sagasu errors and GET /api/errors', () => {
  let config: string
  let server: RunningServer | undefined

  beforeAll(async () => {
    const dir = tempDir()
    const lib = join(dir, 'lib')
    // A PNG named .jpg whose ComfyUI prompt chunk is cut short: two warnings on one file.
    const path = join(lib, 'cut-graph.jpg')
    writeFileSync(path, writePngTextChunks(await writeImage(path, { color: colorOf(1) }), { prompt: '{"3": {"class_type": "KSampler", "inputs": {' }))
    await writeImage(join(lib, 'clean.png'), { color: colorOf(2) })
    config = writeConfig(dir, { folders: [{ name: 'lib', path: './lib' }], dataDir: './data', models: { tagger: { enabled: false }, clip: { enabled: false }, ocr: { enabled: false } } })
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('lists both warnings of the file, and keeps them over an import that finds it unchanged', async () => {
    for (const expected of [{ added: 2, errors: 0 }, { unchanged: 2, errors: 0 }]) {
      const { code, body, stderr } = await runCliJson<ImportCounts>(['--config', config, 'import'])
      expect(code, stderr).toBe(0)
      expect(body).toMatchObject(expected)
      const listed = await runCliJson<{ total: number; errors: ErrorRecord[] }>(['--config', config, 'errors'])
      expect(listed.body.total).toBe(2)
      expect(listed.body.errors.map(({ at: _at, ...record }) => record).sort((a, b) => a.stage.localeCompare(b.stage))).toEqual([
        { folder: 'lib', path: 'cut-graph.jpg', stage: 'ai-metadata', reason: WARNING, level: 'warning', transient: false },
        { folder: 'lib', path: 'cut-graph.jpg', stage: 'probe', reason: 'the file is PNG but named .jpg; indexed as PNG', level: 'warning', transient: false },
      ])
    }
    const plain = await runCli(['--config', config, 'errors'])
    expect(plain.stdout.split('\n')).toContain(`warning\tai-metadata\tlib/cut-graph.jpg\t${WARNING}`)
  })

  it('answers GET /api/errors with the same records, as the OpenAPI document describes them', async () => {
    server = await startServer(['--config', config], { env: { SAGASU_MODELS: '' } })
    const response = await fetch(`${server.url}/api/errors`)
    expect(response.status).toBe(200)
    const body = (await response.json()) as { total: number; errors: ErrorRecord[] }
    expect(body.errors.map((record) => `${record.level} ${record.stage} ${record.path}`).sort()).toEqual(['warning ai-metadata cut-graph.jpg', 'warning probe cut-graph.jpg'])
    const document = openApiDocument('0.0.0')
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }> }>>
    let described = paths['/api/errors']!.get!.responses['200']!
    if (described.$ref) described = resolvePointer(document, described.$ref) as typeof described
    expect(schemaProblems(document, described.content!['application/json']!.schema, body)).toEqual([])
  })

  it('gives the image record its warnings in GET /api/images/:id, and none to a clean file', async () => {
    const search = (await (await fetch(`${server!.url}/api/search?q=`)).json()) as { results: Array<{ id: number; path: string }> }
    const idOf = (path: string) => search.results.find((image) => image.path === path)!.id
    const response = await fetch(`${server!.url}/api/images/${idOf('cut-graph.jpg')}`)
    expect(response.status).toBe(200)
    const image = (await response.json()) as { path: string; warnings?: Array<{ stage: string; reason: string }> }
    expect(image.warnings?.slice().sort((a, b) => a.stage.localeCompare(b.stage))).toEqual([
      { stage: 'ai-metadata', reason: WARNING },
      { stage: 'probe', reason: 'the file is PNG but named .jpg; indexed as PNG' },
    ])
    const document = openApiDocument('0.0.0')
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>
    expect(schemaProblems(document, paths['/api/images/{id}']!.get!.responses['200']!.content!['application/json']!.schema, image)).toEqual([])
    const clean = (await (await fetch(`${server!.url}/api/images/${idOf('clean.png')}`)).json()) as { warnings?: unknown }
    expect(clean.warnings).toBeUndefined()
  })
})
