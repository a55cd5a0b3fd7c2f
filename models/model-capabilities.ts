import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { SagasuConfig } from '../config/schema'
import { CLIP_FILES, clipFilesFor } from './clip-files'
import { quantizedFile } from './runtime-settings'
import { isModelId, localModelFolder, missingFiles, probeHub } from './model-hub'
import { firstLine } from './model-load-error'
import type { ModelRegistry } from './model-registry'
import { clipSource, hubOptions, taggerSource, WD14_FILES } from './model-sources'
import { readTaggerLayout } from './tagger-layout'

export interface ModelCapability {
  /**
   * `ready`: the files are there (or the model is loaded); `download`: named by id, not downloaded
   * yet, fetched on first use; `disabled`: turned off, or it cannot work — `reason` says why.
   */
  state: 'ready' | 'download' | 'disabled'
  /** One line, for the CLI, `GET /api/health` and the UI banner. Absent when ready. */
  reason?: string
  /** The folder or model id the setting points at. */
  source: string
}

export interface ModelCapabilities {
  clip: ModelCapability
  tagger: ModelCapability
}

export interface CapabilityOptions {
  /** Load failures seen in this process win over what the files suggest. */
  registry?: ModelRegistry
  /** Ask the hub whether a model that is not downloaded yet could be (CLI checks; not on every health request). */
  probeHub?: boolean
}

/**
 * What the model settings allow on this machine, without loading anything: files present,
 * layout readable, last load failure in this process.
 *
 * @example
 * const { clip } = await checkModelCapabilities(config)
 * if (clip.state === 'disabled') console.log(`CLIP disabled: ${clip.reason}`)
 */
export async function checkModelCapabilities(config: SagasuConfig, options: CapabilityOptions = {}): Promise<ModelCapabilities> {
  return {
    clip: await checkModel(config, 'clip', options),
    tagger: await checkModel(config, 'tagger', options),
  }
}

/** One model's capability (see checkModelCapabilities). */
export async function checkModel(config: SagasuConfig, kind: 'clip' | 'tagger', options: CapabilityOptions = {}): Promise<ModelCapability> {
  const settings = config.models[kind]
  const source = kind === 'clip' ? clipSource(config) : taggerSource(config)
  const described = source.describe
  if (!settings.enabled) return { state: 'disabled', reason: `turned off (models.${kind}.enabled is false)`, source: described }
  const state = options.registry?.state(source.key)
  if (state?.status === 'loaded') return { state: 'ready', source: described }
  if (state?.status === 'failed') return { state: 'disabled', reason: state.reason.replace(/^(CLIP|Tagger) disabled: /, ''), source: described }
  const problem = settings.path ? folderProblem(kind, settings.path, config) : undefined
  if (problem) return { state: 'disabled', reason: problem, source: described }
  if (settings.path) return { state: 'ready', source: described }
  return namedModel(config, kind, options)
}

function folderProblem(kind: 'clip' | 'tagger', folder: string, config: SagasuConfig): string | undefined {
  if (!existsSync(folder)) return `the model folder ${folder} (models.${kind}.path) does not exist`
  if (kind === 'clip') {
    const missing = missingFiles(folder, clipFilesFor(config.models.clip.precision))
    return missing.length > 0 ? `${join(folder, missing[0]!)} is missing` : undefined
  }
  try {
    const layout = readTaggerLayout(folder, config.models.tagger.layout)
    const file = config.models.tagger.precision === 'int8' ? quantizedFile(layout.modelFile) : layout.modelFile
    return existsSync(file) ? undefined : `${file} is missing`
  } catch (error) {
    return firstLine(error).replace(/^Tagger disabled: /, '')
  }
}

async function namedModel(config: SagasuConfig, kind: 'clip' | 'tagger', options: CapabilityOptions): Promise<ModelCapability> {
  const { name } = config.models[kind]
  const hub = hubOptions(config)
  const source = `${name} (${hub.modelsDir})`
  if (!isModelId(name)) return { state: 'disabled', reason: `models.${kind}.name "${name}" is not a model id such as owner/name`, source }
  if (kind === 'tagger' && config.models.tagger.layout === 'deepdanbooru') {
    return { state: 'disabled', reason: 'a DeepDanbooru tagger is read from a folder: set models.tagger.path', source }
  }
  const folder = localModelFolder(hub.modelsDir, name)
  if (missingFiles(folder, kind === 'clip' ? CLIP_FILES : WD14_FILES).length === 0) return { state: 'ready', source }
  if (options.probeHub) {
    const unreachable = await probeHub(name, kind === 'clip' ? 'config.json' : 'selected_tags.csv', hub)
    if (unreachable) return { state: 'disabled', reason: `${name} is not downloaded and cannot be (${unreachable}); set models.${kind}.path for an offline install`, source }
  }
  return { state: 'download', reason: `${name} is not downloaded yet; it is fetched from ${hub.hubUrl} into ${folder} on first use`, source }
}
