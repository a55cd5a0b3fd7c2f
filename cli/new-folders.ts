import { existsSync, realpathSync, statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import type { FolderConfig } from '../config/schema'
import type { Store } from '../server/store/store'
import { isInside } from '../media/contained-file'
import type { KeptFolder } from '../workers/kept-folders'
import { UsageError } from './errors'

/** What `sagasu import ARG…` names: configured folders, and paths not configured yet. */
export interface FolderSelection {
  configured: FolderConfig[]
  /** Absolute paths of directories that are not configured, in the order given. */
  paths: string[]
}

/** The name rule of config/schema.ts: it appears in /files/<name>/ URLs. */
const FOLDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/

/**
 * Sorts the arguments into configured folders (by name or path) and new paths, refusing — before
 * anything is changed — a path that does not exist, is not a directory, or overlaps a configured
 * folder or another new path (its files would be indexed twice, under two names).
 */
export function selectFolders(configured: FolderConfig[], args: string[], cwd = process.cwd()): FolderSelection {
  const selection: FolderSelection = { configured: [], paths: [] }
  const realOf = new Map(configured.map((folder) => [folder, realOrSelf(folder.path)]))
  for (const arg of args) {
    // A configured folder's name wins over a folder of that name in the working directory, as it always did.
    const byName = configured.find((folder) => folder.name === arg)
    if (byName) {
      selection.configured.push(byName)
      continue
    }
    const path = resolve(cwd, arg)
    const info = statOf(path)
    if (!info) throw new UsageError(`${path} does not exist${configured.length ? ` (and "${arg}" is not a configured folder name: ${configured.map((f) => f.name).join(', ')})` : ''}`)
    if (!info.isDirectory()) throw new UsageError(`${path} is not a folder`)
    const real = realOrSelf(path)
    const same = configured.find((folder) => realOf.get(folder) === real)
    if (same) {
      selection.configured.push(same)
      continue
    }
    for (const folder of configured) {
      const folderReal = realOf.get(folder)!
      if (isInside(real, folderReal)) throw new UsageError(`${path} lies inside the configured folder "${folder.name}" (${folder.path}); import "${folder.name}" instead`)
      if (isInside(folderReal, real)) throw new UsageError(`${path} contains the configured folder "${folder.name}" (${folder.path}); its files would be indexed twice`)
    }
    for (const other of selection.paths) {
      const otherReal = realOrSelf(other)
      if (otherReal === real) continue
      if (isInside(real, otherReal) || isInside(otherReal, real)) throw new UsageError(`${path} and ${other} lie one inside the other; import one of them`)
    }
    if (!selection.paths.some((other) => realOrSelf(other) === real)) selection.paths.push(path)
  }
  selection.configured = [...new Set(selection.configured)]
  return selection
}

/**
 * Names the new folders: `--name` for a single one, else the folder's own name made valid, with
 * `-2`, `-3` … when it is taken. A name is taken when a configured folder has it, or when the index
 * holds records under it that are not this path's (an earlier `--no-save` import of another folder):
 * importing under that name would sweep them away. Records that are this path's (an earlier
 * `--no-save` import of the same folder) are kept and brought up to date.
 */
export async function nameFolders(paths: string[], chosen: string | undefined, configured: FolderConfig[], kept: KeptFolder[], store: Store): Promise<FolderConfig[]> {
  const freeFor = (name: string, path: string) => isFreeFor(store, kept, name, path)
  if (chosen !== undefined) {
    if (paths.length !== 1) throw new UsageError(`--name names one new folder; ${paths.length ? `${paths.length} were given` : 'every folder given is configured already'}`)
    if (!FOLDER_NAME.test(chosen)) throw new UsageError(`--name "${chosen}": use letters, digits, "-" and "_", starting with a letter or digit, at most 64 (it appears in /files/<name>/ URLs)`)
    if (configured.some((folder) => folder.name === chosen)) throw new UsageError(`--name "${chosen}": a configured folder has that name`)
    if (!(await freeFor(chosen, paths[0]!))) throw new UsageError(`--name "${chosen}": the index holds images of another folder under that name`)
    return [{ name: chosen, path: paths[0]!, recursive: true }]
  }
  const taken = new Set(configured.map((folder) => folder.name))
  const named: FolderConfig[] = []
  for (const path of paths) {
    const base = baseName(path)
    for (let n = 1; ; n++) {
      const suffix = n === 1 ? '' : `-${n}`
      const name = `${base.slice(0, 64 - suffix.length)}${suffix}`
      if (taken.has(name) || !(await freeFor(name, path))) continue
      taken.add(name)
      named.push({ name, path, recursive: true })
      break
    }
  }
  return named
}

/** The folder's own name as a folder name: other characters become "-"; nothing usable left gives "folder". */
function baseName(path: string): string {
  const cleaned = basename(path).normalize('NFKC').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+/, '').replace(/-+$/, '')
  return cleaned.slice(0, 64) || 'folder'
}

/**
 * Whether `name` is free for the folder at `path`: a folder kept from a `--no-save` import has its
 * path on record; else the index must have no records under the name, or (judged by up to 20 of
 * them) records of files under `path`.
 */
async function isFreeFor(store: Store, kept: KeptFolder[], name: string, path: string): Promise<boolean> {
  const keptFolder = kept.find((folder) => folder.name === name)
  if (keptFolder) return realOrSelf(keptFolder.path) === realOrSelf(path)
  const states = await store.fileStates(name)
  if (!states.size) return true
  let checked = 0
  for (const relPath of states.keys()) {
    if (existsSync(join(path, relPath))) return true
    if (++checked >= 20) break
  }
  return false
}

function statOf(path: string) {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}
