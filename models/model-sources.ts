import { join } from 'node:path'
import type { SagasuConfig } from '../config/schema'
import type { ClipModel } from './clip-model'
import type { HubOptions } from './model-hub'
import { downloadModelFiles, isModelId, localModelFolder, missingFiles, probeHub } from './model-hub'
import { ModelLoadError, firstLine } from './model-load-error'
import type { TaggerModel } from './tagger-model'
import { runtimeSettings } from './runtime-settings'

// The runtimes (onnxruntime, transformers.js) are imported on first load only: a health check or
// a CLI command that never runs a model does not pay for loading them.
const loadClipModel: typeof import('./clip-model').loadClipModel = async (...args) => (await import('./clip-model')).loadClipModel(...args)
const loadTaggerModel: typeof import('./tagger-model').loadTaggerModel = async (...args) => (await import('./tagger-model')).loadTaggerModel(...args)

/** How to load one configured model, and the registry key that identifies it. */
export interface ModelSource<M> {
  key: string
  /** `models.clip.path`, or `<name> (<dataDir>/models)`: what the user recognises in messages. */
  describe: string
  load: () => Promise<M>
}

/** Only the WD14 v3 layout can be fetched by id: its files have fixed names. */
export const WD14_FILES = ['model.onnx', 'selected_tags.csv'] as const

export function hubOptions(config: SagasuConfig): HubOptions {
  return { hubUrl: config.models.hubUrl, modelsDir: join(config.dataDir, 'models'), timeoutMs: config.models.hubTimeoutSeconds * 1000 }
}

/**
 * @example
 * const source = clipSource(config)
 * const clip = await registry.use(source.key, source.load, async (model) => model)
 */
export function clipSource(config: SagasuConfig): ModelSource<ClipModel> {
  const { path, name } = config.models.clip
  const settings = runtimeSettings(config, 'clip')
  // int8 gives other embeddings: its own key, so its vectors never mix with fp32's. fp32 keeps the old key.
  const suffix = precisionSuffix(settings.precision)
  if (path) return { key: `clip:${path}${suffix}`, describe: path, load: () => loadClipModel({ folder: path }, settings) }
  const hub = hubOptions(config)
  return { key: `clip:${name}${suffix}`, describe: `${name} (${hub.modelsDir})`, load: () => loadClipModel({ name, ...hub }, settings) }
}

export function taggerSource(config: SagasuConfig): ModelSource<TaggerModel> {
  const { path, name, layout } = config.models.tagger
  const settings = runtimeSettings(config, 'tagger')
  const suffix = precisionSuffix(settings.precision)
  if (path) return { key: `tagger:${layout}:${path}${suffix}`, describe: path, load: () => loadTaggerModel(path, layout, settings) }
  const hub = hubOptions(config)
  return {
    key: `tagger:${layout}:${name}${suffix}`,
    describe: `${name} (${hub.modelsDir})`,
    load: async () => loadTaggerModel(await fetchWd14(name, layout, hub), 'wd14', settings),
  }
}

function precisionSuffix(precision: string): string {
  return precision === 'fp32' ? '' : `:${precision}`
}

async function fetchWd14(name: string, layout: string, hub: HubOptions): Promise<string> {
  if (layout === 'deepdanbooru') throw new ModelLoadError('tagger', 'a DeepDanbooru tagger is read from a folder: set models.tagger.path (only WD14 v3 models are downloaded by name)')
  if (!isModelId(name)) throw new ModelLoadError('tagger', `models.tagger.name "${name}" is not a model id such as SmilingWolf/wd-swinv2-tagger-v3`)
  const folder = localModelFolder(hub.modelsDir, name)
  if (missingFiles(folder, WD14_FILES).length === 0) return folder
  const unreachable = await probeHub(name, 'selected_tags.csv', hub)
  if (unreachable) {
    throw new ModelLoadError('tagger', `${name} is not in ${folder} and cannot be downloaded (${unreachable}); ` +
      'set models.tagger.path to a local tagger folder for an offline install (docs/models.md)')
  }
  try {
    return await downloadModelFiles(name, WD14_FILES, hub)
  } catch (error) {
    throw new ModelLoadError('tagger', firstLine(error), { cause: error })
  }
}
