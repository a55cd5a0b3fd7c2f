import type { StageWork } from '../server/store/store'
import type { PipelineContext } from './pipeline-context'
import { isWorkerAlive } from './worker-id'

/**
 * How long a model-stage lease lasts: far longer than one chunk takes at real size (32 images
 * through a WD14 tagger on 2 cores is about half a minute), short enough that the chunk of a worker
 * on another machine that died is taken over the same hour. A dead worker on this machine frees
 * its leases at once (releaseStageLeases).
 */
export const STAGE_LEASE_MS = 10 * 60_000

/**
 * One stage's pending images for this process, a chunk at a time, each under a lease, so the
 * server's background stages and any number of `sagasu worker --stages` processes (here or on other
 * machines sharing the servers profile) never run one image at once. Chunks come in id order; at
 * the end it goes back to the start once, for images another worker let go of meanwhile, so a run
 * ends even if an image could not be marked done.
 *
 * @example
 * const leases = new StageLeases(ctx, 'tag', version)
 * try { for (let work = await leases.take(32); work.length; work = await leases.take(32)) { …; leases.settled(ids) } } finally { await leases.release() }
 */
export class StageLeases {
  private afterId = 0
  private wrapped = false
  private started = false
  /** Leased by this process and not yet settled: a run prefetches, so two chunks may be held at once. */
  private readonly held = new Set<number>()

  constructor(
    private readonly ctx: PipelineContext,
    private readonly stage: string,
    private readonly version: string,
  ) {}

  /** Leases the next chunk (empty when nothing is left that no one else holds). */
  async take(limit: number): Promise<StageWork[]> {
    const { store, worker } = this.ctx
    if (!this.started) {
      this.started = true
      // A process on this machine that ended without letting go (killed) holds nothing any more.
      await store.releaseStageLeases((holder) => holder === worker || isWorkerAlive(holder))
    }
    let work = await store.claimStageWork(this.stage, this.version, worker, limit, STAGE_LEASE_MS, this.afterId)
    if (!work.length && this.afterId > 0 && !this.wrapped) {
      this.wrapped = true
      work = await store.claimStageWork(this.stage, this.version, worker, limit, STAGE_LEASE_MS, 0)
    }
    if (work.length) this.afterId = work.at(-1)!.id
    for (const item of work) this.held.add(item.id)
    return work
  }

  /** Images markStageDone has ended: no longer held. */
  settled(ids: number[]): void {
    for (const id of ids) this.held.delete(id)
  }

  /**
   * Lets go of every image taken and not settled (a no-op for images markStageDone has ended): called however a
   * run ends, so a stop or a broken model leaves the chunk to others rather than to the lease's end.
   */
  async release(): Promise<void> {
    const held = [...this.held]
    this.held.clear()
    if (held.length) await this.ctx.store.releaseStageWork(this.stage, this.ctx.worker, held)
  }
}
