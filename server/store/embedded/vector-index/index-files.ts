import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HnswIndex, HnswParameters } from './hnsw-index'

/** What a saved index holds: enough to decide whether it can be used with the current settings. */
export interface IndexMeta {
  model: string
  dims: number
  connectivity: number
  expansionAdd: number
  /** The last embedding change (embedding_changes.seq) the saved graph includes. */
  seq: number
  vectors: number
  /** The graph file next to meta.json; its name carries `seq`, so meta and graph never mismatch. */
  file: string
}

/**
 * Where one model's index lives: `<dataDir>/vectors/<model slug>/` with `meta.json` and the graph
 * file it names. Saves are atomic (write a temporary file, then rename), and two processes saving
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
    return existsSync(join(this.dir, meta.file)) ? meta : undefined
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

  /** Bytes of the saved graph (0 when there is none). */
  graphBytes(): number {
    const meta = this.meta()
    if (!meta) return 0
    try {
      return statSync(join(this.dir, meta.file)).size
    } catch {
      return 0
    }
  }

  save(index: HnswIndex, meta: Omit<IndexMeta, 'file'>): IndexMeta {
    mkdirSync(this.dir, { recursive: true })
    const file = `index-${meta.seq}.usearch`
    const temporary = join(this.dir, `${file}.${process.pid}.tmp`)
    index.save(temporary)
    renameSync(temporary, join(this.dir, file))
    const full: IndexMeta = { ...meta, file }
    const metaTemporary = join(this.dir, `meta.json.${process.pid}.tmp`)
    writeFileSync(metaTemporary, `${JSON.stringify(full, null, 2)}\n`)
    renameSync(metaTemporary, join(this.dir, 'meta.json'))
    this.removeOthers(file)
    return full
  }

  /** Older graphs (and temporary files of crashed saves) go; another process may still be reading one, which Linux allows. */
  private removeOthers(keep: string): void {
    for (const name of readdirSync(this.dir)) {
      if (name === keep || name === 'meta.json' || name.endsWith('.tmp')) continue
      if (name.startsWith('index-')) rmSync(join(this.dir, name), { force: true })
    }
  }
}

/** A folder name for a model id: readable, and unique through a hash of the id. */
export function modelSlug(model: string): string {
  const readable = model.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60)
  return `${readable}-${createHash('sha1').update(model).digest('hex').slice(0, 8)}`
}
