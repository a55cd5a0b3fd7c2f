import { readFileSync, statSync } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FolderConfig } from '../config/schema'

/**
 * Folders imported with `sagasu import --no-save`: not in the configuration, yet their images stay
 * in the index. Imports do not drop them as "no longer configured" (nor re-scan them), and what
 * reads indexed files (the model stages, thumbnail repair, move detection) finds them here. The list
 * lives in the data directory, next to the index it describes.
 */
export interface KeptFolder {
  name: string
  path: string
}

const FILE = 'kept-folders.json'

export function keptFoldersFile(dataDir: string): string {
  return join(dataDir, FILE)
}

let cache: { file: string; mtimeMs: number; folders: KeptFolder[] } | undefined

/**
 * The kept folders (none without the file). Read again only when the file changed: move detection
 * asks once per new file. A file that is not a list of `{name, path}` is an error naming it, not an
 * empty list: reading it as empty would drop those folders' images at the next import.
 */
export function readKeptFolders(dataDir: string): KeptFolder[] {
  const file = keptFoldersFile(dataDir)
  let mtimeMs: number
  try {
    mtimeMs = statSync(file).mtimeMs
  } catch {
    return []
  }
  if (cache?.file === file && cache.mtimeMs === mtimeMs) return cache.folders
  let folders: unknown
  try {
    folders = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new Error(`${file} cannot be read (${error instanceof Error ? error.message : String(error)}); it lists the folders imported with --no-save`)
  }
  if (!Array.isArray(folders) || !folders.every((entry) => typeof entry?.name === 'string' && typeof entry?.path === 'string')) {
    throw new Error(`${file} is not a list of {"name", "path"}; it lists the folders imported with --no-save`)
  }
  cache = { file, mtimeMs, folders: (folders as KeptFolder[]).map(({ name, path }) => ({ name, path })) }
  return cache.folders
}

/** Adds (or updates) a folder imported for one run only. */
export async function keepFolder(dataDir: string, folder: KeptFolder): Promise<void> {
  const folders = readKeptFolders(dataDir).filter(({ name }) => name !== folder.name)
  await writeList(dataDir, [...folders, { name: folder.name, path: folder.path }])
}

/** Takes folders off the list (they are configured now). */
export async function forgetKeptFolders(dataDir: string, names: string[]): Promise<void> {
  const folders = readKeptFolders(dataDir)
  const left = folders.filter(({ name }) => !names.includes(name))
  if (left.length !== folders.length) await writeList(dataDir, left)
}

/** The configured folders and the kept ones: every folder whose indexed files may be read. */
export function readableFolders(configured: FolderConfig[], dataDir: string): FolderConfig[] {
  const kept = readKeptFolders(dataDir).filter(({ name }) => !configured.some((folder) => folder.name === name))
  return [...configured, ...kept.map(({ name, path }) => ({ name, path, recursive: true }))]
}

/** Written whole to a temporary file and renamed over the list: never half a list. */
async function writeList(dataDir: string, folders: KeptFolder[]): Promise<void> {
  const file = keptFoldersFile(dataDir)
  const temporary = `${file}.${process.pid}.tmp`
  try {
    await writeFile(temporary, `${JSON.stringify(folders, null, 2)}\n`, 'utf8')
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined)
    throw error
  }
  cache = undefined
}
