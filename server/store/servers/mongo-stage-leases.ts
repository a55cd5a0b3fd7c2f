import type { Collection } from 'mongodb'
import type { StageWork } from '../store'
import { isDuplicateKey, type StageLeaseDocument, type StoredImageDocument } from './mongo-collections'

/** Rounds of reading candidates before a claim gives up on a crowd of competing workers. */
const MAX_ROUNDS = 20

/**
 * Leases of model-stage work in MongoDB: which worker runs a stage on an image now. Each lease is
 * the insert of `{ _id: "<stage>:<image>:<generation>" }`, whose unique `_id` lets exactly one
 * worker win a generation, on MongoDB and on FerretDB alike (FerretDB v1 reads and writes a
 * findAndModify or a filtered delete in two steps, so nothing here relies on one). Taking over a
 * lease whose time ran out is winning the next generation; the winner then deletes the older ones.
 * A lease is removed when its image is marked done or released.
 */
export class MongoStageLeases {
  constructor(
    private readonly images: Collection<StoredImageDocument>,
    private readonly leases: Collection<StageLeaseDocument>,
  ) {}

  /** See Store.claimStageWork; `stageField` is the image's `stages.<stage>` path. */
  async claim(stage: string, stageField: string, version: string, worker: string, limit: number, leaseMs: number, afterId: number): Promise<StageWork[]> {
    const claimed: StageWork[] = []
    for (let round = 0; claimed.length < limit && round < MAX_ROUNDS; round++) {
      const now = Date.now()
      // The leases of a stage are few (workers × their chunk, plus expired ones): read them all.
      const known = await this.leases.find({ stage }, { projection: { image: 1, generation: 1, until: 1 } }).toArray()
      const live = new Set<number>()
      const generations = new Map<number, StageLeaseDocument[]>()
      for (const lease of known) {
        if (lease.until >= now) live.add(lease.image)
        generations.set(lease.image, [...(generations.get(lease.image) ?? []), lease])
      }
      const taken = new Set(claimed.map((item) => item.id))
      const excluded = [...new Set([...live, ...taken])]
      const candidates = await this.images.find(
        { id: excluded.length ? { $gt: afterId, $nin: excluded } : { $gt: afterId }, [stageField]: { $ne: version } },
        { projection: { id: 1, hash: 1, folder: 1, path: 1 }, sort: { id: 1 }, limit: limit - claimed.length },
      ).toArray()
      if (!candidates.length) break
      const won: Array<{ work: StageWork; lease: string; older: string[] }> = []
      for (const doc of candidates) {
        const older = generations.get(doc.id) ?? []
        const generation = Math.max(0, ...older.map((lease) => lease.generation)) + 1
        const lease: StageLeaseDocument = { _id: `${stage}:${doc.id}:${generation}`, stage, image: doc.id, generation, worker, until: now + leaseMs }
        try {
          await this.leases.insertOne(lease)
        } catch (error) {
          if (isDuplicateKey(error)) continue
          throw error
        }
        won.push({ work: { id: doc.id, hash: doc.hash, folder: doc.folder, path: doc.path }, lease: lease._id, older: older.map((old) => old._id) })
      }
      if (!won.length) continue
      // Another worker may have finished an image between the read above and the lease: such a lease is given back.
      const pending = new Set((await this.images.find(
        { _id: { $in: won.map(({ work }) => work.id) }, [stageField]: { $ne: version } },
        { projection: { _id: 1 } },
      ).toArray()).map((doc) => doc._id))
      const stale = won.filter(({ work }) => !pending.has(work.id)).map(({ lease }) => lease)
      const superseded = won.filter(({ work }) => pending.has(work.id)).flatMap(({ older }) => older)
      if (stale.length || superseded.length) await this.leases.deleteMany({ _id: { $in: [...stale, ...superseded] } })
      claimed.push(...won.filter(({ work }) => pending.has(work.id)).map(({ work }) => work))
    }
    return claimed.sort((a, b) => a.id - b.id)
  }

  /** Ends every lease of a stage on these images, whoever holds it (they are done). */
  async end(stage: string, ids: number[]): Promise<void> {
    await this.leases.deleteMany({ stage, image: { $in: ids } })
  }

  async release(stage: string, worker: string, ids: number[]): Promise<void> {
    await this.leases.deleteMany({ stage, worker, image: { $in: ids } })
  }

  async releaseDead(isWorkerAlive: (worker: string) => boolean): Promise<number> {
    let released = 0
    const workers = (await this.leases.distinct('worker', {})) as Array<string | null>
    for (const worker of workers) {
      if (typeof worker !== 'string' || isWorkerAlive(worker)) continue
      released += (await this.leases.deleteMany({ worker })).deletedCount
    }
    return released
  }
}
