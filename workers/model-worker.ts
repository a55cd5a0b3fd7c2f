import type { StageProgress } from '../shared/types/api'
import { modelStages, runModelStages } from './model-stages'
import { settleWithin } from './settle-within'
import type { PipelineContext } from './pipeline-context'

export interface ModelWorker {
  /** There may be new work (an import finished): run the stages again once the current run ends. */
  kick(): void
  /** The latest progress of every enabled stage. */
  progress(): Promise<StageProgress[]>
  /** Resolves when no run is going and none is asked for (tests, `--wait`). */
  idle(): Promise<void>
  /**
   * Stops the stages: the run in progress is asked to stop at its next image and given `graceMs`
   * (default: as long as it takes). A run still busy then is left as it is — the process is about to
   * end, and its images stay pending for the next start — rather than having its models unloaded
   * under it, which would fail those images.
   */
  close(graceMs?: number): Promise<void>
}

/**
 * The server's background runner of the model stages: one run at a time, started by `kick()`
 * after imports, so files are searchable by name and metadata at once and gain tags, text and
 * embeddings as the models get to them.
 */
export function startModelWorker(ctx: PipelineContext): ModelWorker {
  const abort = new AbortController()
  const stages = modelStages(ctx.config)
  const latest = new Map<string, StageProgress>()
  let running: Promise<void> | undefined
  let again = false

  const loop = async () => {
    do {
      again = false
      try {
        await runModelStages(ctx, { stages, signal: abort.signal, onProgress: (progress) => latest.set(progress.stage, progress) })
      } catch (error) {
        ctx.log(`model stages: ${error instanceof Error ? error.message : String(error)}`)
      }
    } while (again && !abort.signal.aborted)
    running = undefined
  }

  return {
    kick() {
      if (abort.signal.aborted) return
      if (running) again = true
      else running = loop()
    },
    async progress() {
      const result: StageProgress[] = []
      for (const { stage } of stages) {
        const known = latest.get(stage.name)
        if (known) {
          result.push(known)
          continue
        }
        const counts = await ctx.store.stageCounts(stage.name, stage.version())
        result.push({ stage: stage.name, state: 'idle', ...counts, processed: 0, failed: 0, rate: 0 })
      }
      return result
    },
    async idle() {
      while (running) await running
    },
    async close(graceMs = Infinity) {
      abort.abort()
      if (running && !(await settleWithin(running, graceMs))) {
        ctx.log(`model stages: still busy ${graceMs / 1000} s after the stop; their unfinished images stay pending for the next start`)
        return
      }
      for (const { stage } of stages) await stage.unload()
    },
  }
}
