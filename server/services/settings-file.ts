import { existsSync, readFileSync } from 'node:fs'
import { rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { Document, isMap, isSeq, parseDocument } from 'yaml'
import type { z } from 'zod'
import { configSchema, type FolderConfig, type SagasuConfig } from '../../config/schema'
import type { EditableSettings } from '../../shared/types/settings'
import { LockBusyError, withFileLock } from './file-lock'

/** A setting the user must fix: `key` names it (`folders.1.path`), the file is left as it was. */
export class SettingsError extends Error {
  override name = 'SettingsError'
  constructor(readonly key: string, message: string) {
    super(key ? `${key}: ${message}` : message)
  }
}

/**
 * The settings the web app edits, as the file has them (paths as written, relative ones too), with
 * the defaults filled in; without a file, the running configuration's.
 *
 * @example
 * readEditableSettings('/home/me/sagasu.config.yaml', config).thresholds.general // 0.35
 */
export function readEditableSettings(file: string | undefined, running: SagasuConfig): EditableSettings {
  const config = file && existsSync(file) ? configSchema.parse(parseDocument(readFileSync(file, 'utf8')).toJS() ?? {}) : running
  const { clip, tagger, ocr } = config.models
  return {
    folders: config.folders.map(({ name, path, recursive }) => ({ name, path, recursive })),
    models: {
      clip: { enabled: clip.enabled, name: clip.name, ...(clip.path ? { path: clip.path } : {}) },
      tagger: { enabled: tagger.enabled, name: tagger.name, layout: tagger.layout, ...(tagger.path ? { path: tagger.path } : {}) },
      ocr: { enabled: ocr.enabled },
    },
    thresholds: { ...config.thresholds },
  }
}

/**
 * Writes the edited settings into the configuration file, keeping its comments and every other key
 * (the `yaml` Document API edits the parsed file in place). The whole result is validated with the
 * configuration schema and each folder must be a directory before anything is written; the write
 * goes to a temporary file renamed over the old one, so a failure never leaves half a file.
 */
export function saveEditableSettings(file: string, settings: EditableSettings): Promise<void> {
  return withConfigLock(file, () => saveUnlocked(file, settings))
}

async function saveUnlocked(file: string, settings: EditableSettings): Promise<void> {
  const document = readDocument(file)
  const base = dirname(file)
  await checkFolders(settings.folders, base, 'folders')
  document.setIn(['folders'], document.createNode(settings.folders.map(({ name, path, recursive }) => ({ name, path, recursive }))))
  for (const kind of ['clip', 'tagger'] as const) {
    const model = settings.models[kind]
    document.setIn(['models', kind, 'enabled'], model.enabled)
    document.setIn(['models', kind, 'name'], model.name)
    if (model.path) document.setIn(['models', kind, 'path'], model.path)
    else if (document.hasIn(['models', kind, 'path'])) document.deleteIn(['models', kind, 'path'])
  }
  document.setIn(['models', 'tagger', 'layout'], settings.models.tagger.layout)
  document.setIn(['models', 'ocr', 'enabled'], settings.models.ocr.enabled)
  document.setIn(['thresholds', 'general'], settings.thresholds.general)
  document.setIn(['thresholds', 'character'], settings.thresholds.character)
  await writeDocument(file, document)
}

/**
 * Appends folders to the file's `folders` list (its other entries and comments stay); a file that
 * does not exist yet is created with them. `check` runs on the file as it is now, under the lock,
 * before anything is written (another process may have added folders since the caller read it).
 */
export function addFolderToFile(file: string, folder: FolderConfig | FolderConfig[], check?: (listed: FolderConfig[]) => void | Promise<void>): Promise<void> {
  return withConfigLock(file, () => addUnlocked(file, Array.isArray(folder) ? folder : [folder], check))
}

async function addUnlocked(file: string, added: FolderConfig[], check?: (listed: FolderConfig[]) => void | Promise<void>): Promise<void> {
  const document = existsSync(file) ? readDocument(file) : new Document({})
  await checkFolders(added, dirname(file), '')
  const raw = (document.toJS() as { folders?: unknown }).folders
  const listed = Array.isArray(raw) ? (raw as FolderConfig[]) : []
  await check?.(listed)
  for (const folder of added) {
    // A name the file already has would make the next start fail (folder names must be unique).
    if (listed.some((entry) => (entry as { name?: unknown } | null)?.name === folder.name)) {
      throw new SettingsError('name', `a folder named "${folder.name}" is already in ${file}`)
    }
  }
  const folders = document.get('folders')
  if (isSeq(folders)) for (const folder of added) folders.add(document.createNode({ ...folder }))
  else document.set('folders', document.createNode(added.map((folder) => ({ ...folder }))))
  await writeDocument(file, document)
}

/** How long a writer of the configuration file waits for another one (a CLI import, the settings page) to finish. */
const CONFIG_LOCK_WAIT_MS = 10_000

/** One writer of the configuration file at a time: each reads the file, changes it and writes it back. */
async function withConfigLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await withFileLock(`${file}.lock`, work, { waitMs: CONFIG_LOCK_WAIT_MS })
  } catch (error) {
    if (error instanceof LockBusyError) throw new SettingsError('', `${file} is being changed by another process (pid ${error.holder}, lock file ${error.lockFile}); try again when it has finished`)
    throw error
  }
}

/**
 * Each folder path (relative ones against the config file's folder) must be an existing directory,
 * and names unique. `key` is where the list sits in the request (`folders`), '' for a single folder.
 */
export async function checkFolders(folders: FolderConfig[], base: string, key: string): Promise<void> {
  const names = new Set<string>()
  for (const [index, folder] of folders.entries()) {
    const where = key ? `${key}.${index}.` : ''
    if (names.has(folder.name)) throw new SettingsError(`${where}name`, `"${folder.name}" is used twice; folder names must be unique`)
    names.add(folder.name)
    const path = resolve(base, folder.path)
    const info = await stat(path).catch(() => undefined)
    if (!info) throw new SettingsError(`${where}path`, `${path} does not exist`)
    if (!info.isDirectory()) throw new SettingsError(`${where}path`, `${path} is not a directory`)
  }
}

function readDocument(file: string): Document {
  const document = parseDocument(readFileSync(file, 'utf8'))
  if (document.errors.length) throw new SettingsError('', `${file} is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`)
  if (document.contents === null) return new Document({})
  if (!isMap(document.contents)) throw new SettingsError('', `${file}: the top level must be a mapping of keys`)
  return document
}

async function writeDocument(file: string, document: Document): Promise<void> {
  const parsed = configSchema.safeParse(document.toJS())
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new SettingsError(issue.path.join('.'), describeIssue(issue))
  }
  const temporary = `${file}.${process.pid}.tmp`
  try {
    await writeFile(temporary, document.toString(), 'utf8')
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined)
    throw error
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`
  return issue.message
}
