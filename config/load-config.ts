import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import type { z } from 'zod'
import { configSchema, type SagasuConfig } from './schema'

/** A configuration problem the user must fix; the CLI exits 2 with its message. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

export interface LoadConfigOptions {
  /** Explicit file (from --config); wins over SAGASU_CONFIG and ./sagasu.config.yaml. */
  file?: string
  /** From --data-dir; wins over the file and the environment. */
  dataDir?: string
  env?: NodeJS.ProcessEnv
  cwd?: string
  /**
   * A named file (--config, SAGASU_CONFIG) that does not exist yet reads as an empty one, with
   * relative paths against its folder: `sagasu import PATH` creates it.
   */
  missingFileIsEmpty?: boolean
}

export interface LoadedConfig {
  config: SagasuConfig
  /** The file read, if any. */
  file?: string
}

export const DEFAULT_CONFIG_FILE = 'sagasu.config.yaml'

/**
 * Reads, merges and validates the configuration: file < environment < command-line options.
 * Relative paths are resolved against the config file's folder (or the working directory without one).
 *
 * @example
 * const { config } = loadConfig({ file: 'my.yaml', dataDir: '/tmp/sagasu' })
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const named = options.file ?? env.SAGASU_CONFIG
  const missing = Boolean(options.missingFileIsEmpty && named && !existsSync(resolve(cwd, named)))
  const file = missing ? undefined : findConfigFile(named, cwd)
  const raw = file ? readConfigFile(file) : {}
  applyEnvironment(raw, env)
  if (options.dataDir) raw.dataDir = options.dataDir

  const parsed = configSchema.safeParse(raw)
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues, file ?? 'configuration'))

  const base = file ? dirname(file) : missing ? dirname(resolve(cwd, named!)) : cwd
  const config = parsed.data
  config.dataDir = resolve(base, options.dataDir ? resolve(cwd, options.dataDir) : config.dataDir)
  for (const folder of config.folders) folder.path = resolve(base, folder.path)
  for (const model of [config.models.clip, config.models.tagger, config.models.ocr.model]) {
    if (model.path) model.path = resolve(base, model.path)
  }
  assertUniqueFolderNames(config)
  return { config, file }
}

function findConfigFile(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) {
    const file = isAbsolute(explicit) ? explicit : resolve(cwd, explicit)
    if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`)
    return file
  }
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE)
  return existsSync(fallback) ? fallback : undefined
}

type RawConfig = Record<string, unknown>

function readConfigFile(file: string): RawConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`)
  }
  let value: unknown
  try {
    value = parseYaml(text)
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : ''
    throw new ConfigError(`${file}${where}: not valid YAML: ${(error as Error).message.split('\n')[0]}`)
  }
  if (value === null || value === undefined) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${file}: the top level must be a mapping of keys`)
  return value as RawConfig
}

/** Environment variables that override single keys; the names are documented in docs/configuration.md. */
const ENV_KEYS: Array<[string, string[], 'string' | 'number' | 'boolean']> = [
  ['SAGASU_DATA_DIR', ['dataDir'], 'string'],
  ['SAGASU_HOST', ['server', 'host'], 'string'],
  ['SAGASU_PORT', ['server', 'port'], 'number'],
  ['SAGASU_TOKEN', ['server', 'token'], 'string'],
  ['SAGASU_PROFILE', ['store', 'profile'], 'string'],
  ['SAGASU_CONCURRENCY', ['import', 'concurrency'], 'number'],
  ['SAGASU_WATCH', ['watch', 'enabled'], 'boolean'],
  ['SAGASU_RESCAN_MINUTES', ['watch', 'rescanMinutes'], 'number'],
  ['SAGASU_PIXIV_COOKIE', ['pixiv', 'cookie'], 'string'],
]

function applyEnvironment(raw: RawConfig, env: NodeJS.ProcessEnv): void {
  for (const [name, path, kind] of ENV_KEYS) {
    const text = env[name]
    if (text === undefined || text === '') continue
    let value: unknown = text
    if (kind === 'number') {
      value = Number(text)
      if (!Number.isFinite(value)) throw new ConfigError(`${name}: expected a number, got "${text}"`)
    } else if (kind === 'boolean') {
      if (!/^(1|0|true|false|yes|no)$/i.test(text)) throw new ConfigError(`${name}: expected true or false, got "${text}"`)
      value = /^(1|true|yes)$/i.test(text)
    }
    setPath(raw, path, value, name)
  }
  // SAGASU_MODELS="tagger,ocr" runs just those models; "none" none (a server that only serves an index).
  if (env.SAGASU_MODELS) {
    const names = env.SAGASU_MODELS.split(',').map((name) => name.trim()).filter(Boolean)
    const known = ['clip', 'tagger', 'ocr']
    const unknown = names.filter((name) => name !== 'none' && !known.includes(name))
    if (unknown.length) throw new ConfigError(`SAGASU_MODELS: unknown model ${unknown.join(', ')}; known: ${known.join(', ')}, or none`)
    for (const model of known) setPath(raw, ['models', model, 'enabled'], names.includes(model), 'SAGASU_MODELS')
  }
  // SAGASU_FOLDERS="name=/path;other=/path2" replaces the folder list (handy for containers).
  if (env.SAGASU_FOLDERS) {
    raw.folders = env.SAGASU_FOLDERS.split(';').filter(Boolean).map((entry) => {
      const eq = entry.indexOf('=')
      if (eq <= 0) throw new ConfigError(`SAGASU_FOLDERS: expected name=path entries separated by ";", got "${entry}"`)
      return { name: entry.slice(0, eq), path: entry.slice(eq + 1) }
    })
  }
  // SAGASU_ALLOWED_HOSTS="photos.example.org,nas.lan" replaces server.allowedHosts (a container behind a named proxy).
  if (env.SAGASU_ALLOWED_HOSTS) {
    setPath(raw, ['server', 'allowedHosts'], env.SAGASU_ALLOWED_HOSTS.split(',').map((name) => name.trim()).filter(Boolean), 'SAGASU_ALLOWED_HOSTS')
  }
}

function setPath(raw: RawConfig, path: string[], value: unknown, source: string): void {
  let node = raw
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    if (next === undefined || next === null) node[key] = {}
    else if (typeof next !== 'object' || Array.isArray(next)) throw new ConfigError(`${source}: cannot set ${path.join('.')}, "${key}" is not a mapping`)
    node = node[key] as RawConfig
  }
  node[path.at(-1)!] = value
}

function formatIssues(issues: z.core.$ZodIssue[], source: string): string {
  const lines = issues.slice(0, 10).map((issue) => {
    const key = issue.path.length ? issue.path.join('.') : '(top level)'
    return `  ${key}: ${describeIssue(issue)}`
  })
  return `invalid ${source}:\n${lines.join('\n')}`
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
  return issue.message
}

function assertUniqueFolderNames(config: SagasuConfig): void {
  const seen = new Set<string>()
  for (const folder of config.folders) {
    if (seen.has(folder.name)) throw new ConfigError(`folders: the name "${folder.name}" is used twice; folder names must be unique`)
    seen.add(folder.name)
  }
}
