// The dependency picture of docs/architecture.md, checked on the source: every relative import
// (static, dynamic, `export … from`, type-only too) of every non-test module, resolved to the
// top-level folder it lands in.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
const SOURCE = /\.(ts|mts|vue)$/
const TEST = /\.test\.ts$/

interface Edge {
  from: string
  to: string
}

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && SOURCE.test(entry.name) && !TEST.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm

/** The repository-relative files a module imports by relative path. */
function importsOf(file: string): Edge[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return [...text.matchAll(IMPORT)].map((match) => ({ from: file, to: relative(ROOT, resolve(ROOT, dirname(file), match[2]!)) }))
}

const topFolder = (path: string) => path.split(sep)[0]!

function edgesFrom(folder: string): Edge[] {
  return sourceFiles(folder).flatMap(importsOf)
}

const describeEdge = ({ from, to }: Edge) => `${from} → ${to}`

describe('dependency direction (docs/architecture.md)', () => {
  it('finds the imports it checks (the scanner is not blind)', () => {
    const server = edgesFrom('server')
    expect(server.length).toBeGreaterThan(200)
    expect(server.map(describeEdge)).toContain('server/app-context.ts → workers/model-worker')
    expect(edgesFrom('models').map(describeEdge)).toContain('models/model-image.ts → media/image-decoder')
  })

  it('server/ reaches into workers/ only from the composition root that starts them', () => {
    const crossing = edgesFrom('server').filter((edge) => topFolder(edge.to) === 'workers' && edge.from !== join('server', 'app-context.ts'))
    expect(crossing.map(describeEdge)).toEqual([])
  })

  it('the model runtime (models/) imports neither the pipeline, the server nor the CLI', () => {
    const crossing = edgesFrom('models').filter((edge) => ['workers', 'server', 'cli', 'app'].includes(topFolder(edge.to)))
    expect(crossing.map(describeEdge)).toEqual([])
  })

  it('media/ (reading files inside folders, image formats, decoding) imports only config/ and shared/', () => {
    const crossing = edgesFrom('media').filter((edge) => !['media', 'config', 'shared'].includes(topFolder(edge.to)))
    expect(crossing.map(describeEdge)).toEqual([])
  })

  it('config/ imports nothing but shared/ types', () => {
    const crossing = edgesFrom('config').filter((edge) => !['config', 'shared'].includes(topFolder(edge.to)))
    expect(crossing.map(describeEdge)).toEqual([])
  })

  it('nothing imports cli/', () => {
    const crossing = ['server', 'workers', 'models', 'media', 'config', 'shared', 'app'].flatMap(edgesFrom).filter((edge) => topFolder(edge.to) === 'cli')
    expect(crossing.map(describeEdge)).toEqual([])
  })

  it('the UI (app/) imports only shared/ and the pure query language', () => {
    const crossing = edgesFrom('app').filter((edge) => {
      const to = edge.to.split(sep)
      return !(to[0] === 'app' || to[0] === 'shared' || (to[0] === 'server' && to[1] === 'query'))
    })
    expect(crossing.map(describeEdge)).toEqual([])
  })
})
