import type { SagasuConfig } from '../config/schema'
import { modelStages, type AnyModelStage } from '../workers/model-stages'
import { UsageError } from './errors'

/** What `sagasu worker --stages` accepts: the file jobs and the model stages by their stage names. */
export const WORKER_STAGE_NAMES = ['files', 'tag', 'embed', 'ocr'] as const
export type WorkerStageName = (typeof WORKER_STAGE_NAMES)[number]

/** The setting that turns each model stage on. */
const ENABLED_BY: Record<Exclude<WorkerStageName, 'files'>, string> = {
  tag: 'models.tagger.enabled',
  embed: 'models.clip.enabled',
  ocr: 'models.ocr.enabled',
}

/** The names in a `--stages` list (comma-separated), or a UsageError naming the one that is not a stage. */
export function parseWorkerStages(text: string): WorkerStageName[] {
  const names = text.split(',').map((name) => name.trim()).filter(Boolean)
  if (!names.length) throw new UsageError(`--stages names one or more of ${WORKER_STAGE_NAMES.join(', ')}, got "${text}"`)
  for (const name of names) {
    if (!(WORKER_STAGE_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--stages: unknown stage "${name}" (known: ${WORKER_STAGE_NAMES.join(', ')})`)
    }
  }
  return [...new Set(names as WorkerStageName[])]
}

/** The model stages named, as the configuration sets them up; a UsageError for one the configuration turns off. */
export function workerModelStages(config: SagasuConfig, names: WorkerStageName[]): AnyModelStage[] {
  const wanted = names.filter((name): name is Exclude<WorkerStageName, 'files'> => name !== 'files')
  if (!wanted.length) return []
  const available = modelStages(config)
  return wanted.map((name) => {
    const found = available.find(({ stage }) => stage.name === name)
    if (!found) throw new UsageError(`--stages: ${name} is turned off in the configuration (${ENABLED_BY[name]} is false)`)
    return found
  })
}
