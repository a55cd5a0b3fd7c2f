import type { AnyBulkWriteOperation } from 'mongodb'
import type { Job, JobInput, JobStatus } from '../store'
import { bulkWriteInChunks, isDuplicateKey, reserveIds, type CounterDocument, type JobClaimDocument, type JobDocument } from './mongo-collections'
import type { Collection } from 'mongodb'
import { duplicateIndexes } from './racing-upserts'

/**
 * The job queue in MongoDB. Workers on several machines never take the same job (see `claim`); a
 * claim holds a lease, and a running job whose lease ran out is claimable again (its worker died
 * or stalled).
 */
export class MongoJobQueue {
  constructor(
    private readonly jobs: Collection<JobDocument>,
    private readonly claims: Collection<JobClaimDocument>,
    private readonly counters: Collection<CounterDocument>,
  ) {}

  /**
   * Adds jobs, or refreshes those with the same kind and key: new payload, attempts 0, and back to
   * pending unless a worker holds it now.
   */
  async enqueue(inputs: JobInput[]): Promise<void> {
    const unique = new Map(inputs.map((job) => [`${job.kind}\u0000${job.key}`, job]))
    let pending = [...unique.values()]
    for (let round = 0; pending.length && round < 5; round++) {
      const now = Date.now()
      const existing = await this.jobs.find({ $or: pending.map(({ kind, key }) => ({ kind, key })) }, { projection: { kind: 1, key: 1 } }).toArray()
      const known = new Set(existing.map((job) => `${job.kind}\u0000${job.key}`))
      const updates: Array<AnyBulkWriteOperation<JobDocument>> = []
      const fresh: JobInput[] = []
      for (const job of pending) {
        if (!known.has(`${job.kind}\u0000${job.key}`)) {
          fresh.push(job)
          continue
        }
        updates.push(
          { updateOne: { filter: { kind: job.kind, key: job.key, status: { $ne: 'running' } }, update: { $set: { payload: job.payload, status: 'pending', attempts: 0, updated: now }, $unset: { error: '' } } } },
          { updateOne: { filter: { kind: job.kind, key: job.key, status: 'running' }, update: { $set: { payload: job.payload, attempts: 0, updated: now } } } },
        )
      }
      await bulkWriteInChunks(this.jobs, updates, { ordered: false })
      pending = []
      if (!fresh.length) break
      const first = await reserveIds(this.counters, 'jobs', fresh.length)
      const documents = fresh.map((job, n): JobDocument => ({
        _id: first + n, kind: job.kind, key: job.key, payload: job.payload, status: 'pending', attempts: 0, created: now, updated: now,
      }))
      try {
        await this.jobs.insertMany(documents, { ordered: false })
      } catch (error) {
        // Another process enqueued some of the same keys meanwhile: those become updates next round.
        const failed = duplicateIndexes(error)
        if (!failed) throw error
        pending = failed.map((n) => fresh[n]!)
      }
    }
  }

  /**
   * Takes up to `limit` jobs. Each claim of a job is the insert of `{ _id: "<job>:<generation>" }`
   * into `job_claims`, whose unique `_id` lets exactly one worker win each generation, on MongoDB
   * and on FerretDB alike (FerretDB v1's findAndModify reads and writes in two steps, so two
   * workers could both take a job through it). The winner then marks the job running.
   */
  async claim(kind: JobInput['kind'], limit: number, worker: string, leaseMs: number): Promise<Job[]> {
    const claimed: Job[] = []
    for (let round = 0; claimed.length < limit && round < 20; round++) {
      const now = Date.now()
      const candidates = await this.jobs.find(
        { kind, $or: [{ status: 'pending' }, { status: 'running', leaseUntil: { $lt: now } }] },
        { sort: { _id: 1 }, limit: (limit - claimed.length) * 2 },
      ).toArray()
      if (!candidates.length) break
      for (const job of candidates) {
        if (claimed.length >= limit) break
        const generation = (job.generation ?? 0) + 1
        try {
          await this.claims.insertOne({ _id: `${job._id}:${generation}`, job: job._id, worker, at: now })
        } catch (error) {
          if (isDuplicateKey(error)) continue
          throw error
        }
        const attempts = job.attempts + 1
        const won = await this.jobs.updateOne(
          { _id: job._id, generation: job.generation ?? { $exists: false } },
          { $set: { status: 'running', worker, leaseUntil: now + leaseMs, updated: now, generation, attempts } },
        )
        if (won.matchedCount) claimed.push({ id: job._id, kind: job.kind, key: job.key, payload: job.payload, attempts })
      }
    }
    return claimed.sort((a, b) => a.id - b.id)
  }

  async finish(id: number): Promise<void> {
    await this.jobs.deleteOne({ _id: id })
    await this.claims.deleteMany({ job: id })
  }

  async fail(id: number, reason: string): Promise<void> {
    await this.jobs.updateOne({ _id: id }, { $set: { status: 'failed', error: reason, updated: Date.now() }, $unset: { worker: '', leaseUntil: '' } })
  }

  async release(isWorkerAlive: (worker: string) => boolean): Promise<number> {
    let released = 0
    const workers = (await this.jobs.distinct('worker', { status: 'running' })) as Array<string | null>
    for (const worker of workers) {
      if (typeof worker !== 'string' || isWorkerAlive(worker)) continue
      const result = await this.jobs.updateMany({ status: 'running', worker }, { $set: { status: 'pending', updated: Date.now() }, $unset: { worker: '', leaseUntil: '' } })
      released += result.modifiedCount
    }
    return released
  }

  async counts(): Promise<Record<JobStatus, number>> {
    const [pending, running, failed] = await Promise.all((['pending', 'running', 'failed'] as const).map((status) => this.jobs.countDocuments({ status })))
    return { pending: pending!, running: running!, failed: failed! }
  }
}
