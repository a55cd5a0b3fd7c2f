import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HnswIndex, HnswParameters } from './hnsw-index'
import type { QuantizedVectors } from './quantized-vectors'

/** How the saved graph stores vectors; a file of another kind (float16 before 0.2) is rebuilt. */
const QUANTIZATION = 'i8'

/** What a saved index holds: enough to decide whether it can be used with the current settings. */
export interface IndexMeta {
  model: string
  dims: number
  connectivity: number
  expansionAdd: number
  quantization: typeof QUANTIZATION
  /** The last embedding change (embedding_changes.seq) the saved graph includes. */
  seq: number
  vectors: number
  /** The graph file next to meta.json; its name carries `seq`, so meta and graph never mismatch. */
  file: string
  /** The int8 copy saved with the graph (QuantizedVectors), named the same way. */
  quantizedFile: string
}

/**
 * Where one model's index lives: `<dataDir>/vectors/<model slug>/` with `meta.json` and the graph
 * and int8 files it names. Saves are atomic (write a temporary file, then rename), and two processes saving
 * at once each leave a consistent pair.
 *
 * @example
 * const files = new IndexFiles('/data/vectors', 'Xenova/clip-vit-base-patch32')
 * files.save(index, { ...meta })
 */
export class IndexFiles {
  readonly dir: string

  constructor(root: string, readonly model: string) {
    this.dir = join(root, modelSlug(model))
  }

  /** The saved meta when there is a usable pair for these settings, else undefined. */
  usable(dims: number, parameters: HnswParameters): IndexMeta | undefined {
    const meta = this.meta()
    if (!meta || meta.model !== this.model || meta.dims !== dims) return undefined
    if (meta.connectivity !== parameters.connectivity || meta.expansionAdd !== parameters.expansionAdd) return undefined
    if (meta.quantization !== QUANTIZATION) return undefined
    return existsSync(join(this.dir, meta.file)) && existsSync(join(this.dir, meta.quantizedFile)) ? meta : undefined
  }

  meta(): IndexMeta | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir, 'meta.json'), 'utf8')) as IndexMeta
    } catch {
      return undefined
    }
  }

  graphPath(meta: IndexMeta): string {
    return join(this.dir, meta.file)
  }

  quantizedPath(meta: IndexMeta): string {
    return join(this.dir, meta.quantizedFile)
  }

  /** Bytes of the saved graph and int8 copy (0 when there are none). */
  savedBytes(): number {
    const meta = this.meta()
    if (!meta) return 0
    return [meta.file, meta.quantizedFile].reduce((sum, name) => {
      try {
        return sum + (name ? statSync(join(this.dir, name)).size : 0)
      } catch {
        return sum
      }
    }, 0)
  }

  save(index: HnswIndex, quantized: QuantizedVectors, meta: Omit<IndexMeta, 'file' | 'quantizedFile' | 'quantization'>): IndexMeta {
    mkdirSync(this.dir, { recursive: true })
    const file = `index-${meta.seq}.usearch`
    const quantizedFile = `int8-${meta.seq}.bin`
    const temporary = join(this.dir, `${file}.${process.pid}.tmp`)
    const quantizedTemporary = join(this.dir, `${quantizedFile}.${process.pid}.tmp`)
    const metaTemporary = join(this.dir, `meta.json.${process.pid}.tmp`)
    const full: IndexMeta = { ...meta, quantization: QUANTIZATION, file, quantizedFile }
    try {
      index.save(temporary)
      renameSync(temporary, join(this.dir, file))
      quantized.save(quantizedTemporary)
      renameSync(quantizedTemporary, join(this.dir, quantizedFile))
      writeFileSync(metaTemporary, `${JSON.stringify(full, null, 2)}\n`)
      renameSync(metaTemporary, join(this.dir, 'meta.json'))
    } catch (error) {
      // A failed save (disk full) leaves no temporary file behind: removeOthers keeps .tmp files, which may be another process's save.
      for (const path of [temporary, quantizedTemporary, metaTemporary]) rmSync(path, { force: true })
      throw error
    }
    this.removeOthers([file, quantizedFile])
    return full
  }

  /** Older graphs (and temporary files of crashed saves) go; another process may still be reading one, which Linux allows. */
  private removeOthers(keep: string[]): void {
    for (const name of readdirSync(this.dir)) {
      if (keep.includes(name) || name === 'meta.json' || name.endsWith('.tmp')) continue
      if (name.startsWith('index-') || name.startsWith('int8-')) rmSync(join(this.dir, name), { force: true })
    }
  }
}

/** A folder name for a model id: readable, and unique through a hash of the id. */
export function modelSlug(model: string): string {
  const readable = model.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60)
  return `${readable}-${createHash('sha1').update(model).digest('hex').slice(0, 8)}`
}
