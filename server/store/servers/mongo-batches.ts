import type { DatasetSplit } from '../../../shared/types/dataset'
import type { BatchMember, BatchSetRecord } from '../store'
import { reserveIds, type BatchMemberDocument, type ServersCollections } from './mongo-collections'

/** Members per insertMany. */
const MEMBER_CHUNK = 5_000

/** A stored member with the id of the image that holds its content now (null: none does). */
export interface ResolvedMember {
  position: number
  member: { id: number; hash: string }
  currentId: number | null
}

/**
 * Dataset batch sets in MongoDB. Without multi-document transactions (FerretDB v1 has none), a set
 * is written members first and marked complete last: a reader never sees half a set, and a set
 * whose writing failed is removed again.
 */
export class MongoBatches {
  constructor(private readonly c: ServersCollections) {}

  async save(set: BatchSetRecord, members: Iterable<BatchMember>): Promise<void> {
    const seq = await reserveIds(this.c.counters, 'batch_sets')
    await this.c.batchSets.insertOne({
      _id: set.id, seq, createdAt: set.createdAt, batchSize: set.batchSize, validationSplit: set.validationSplit,
      testSplit: set.testSplit, seed: set.seed, query: set.query, images: { ...set.images }, complete: false,
    })
    try {
      let chunk: BatchMemberDocument[] = []
      for (const member of members) {
        chunk.push({ set: set.id, split: member.split, position: member.position, id: member.id, hash: member.hash })
        if (chunk.length >= MEMBER_CHUNK) {
          await this.c.batchMembers.insertMany(chunk, { ordered: false })
          chunk = []
        }
      }
      if (chunk.length) await this.c.batchMembers.insertMany(chunk, { ordered: false })
      await this.c.batchSets.updateOne({ _id: set.id }, { $set: { complete: true } })
    } catch (error) {
      await this.remove(set.id)
      throw error
    }
  }

  async list(): Promise<string[]> {
    const sets = await this.c.batchSets.find({ complete: true }, { projection: { _id: 1 }, sort: { seq: 1 } }).toArray()
    return sets.map((set) => set._id)
  }

  async get(id: string): Promise<BatchSetRecord | undefined> {
    const doc = await this.c.batchSets.findOne({ _id: id, complete: true })
    if (!doc) return undefined
    return {
      id: doc._id, createdAt: doc.createdAt, batchSize: doc.batchSize, validationSplit: doc.validationSplit,
      testSplit: doc.testSplit, seed: doc.seed, query: doc.query, images: { ...doc.images },
    }
  }

  /** Members at [offset, offset + limit) of a split, each with the image that has its content now. */
  async members(id: string, split: DatasetSplit, offset: number, limit: number): Promise<ResolvedMember[]> {
    if (!(await this.c.batchSets.findOne({ _id: id, complete: true }, { projection: { _id: 1 } }))) return []
    const members = await this.c.batchMembers.find({ set: id, split, position: { $gte: offset, $lt: offset + limit } }, { sort: { position: 1 } }).toArray()
    if (!members.length) return []
    const sameId = await this.c.images.find({ _id: { $in: members.map((member) => member.id) } }, { projection: { id: 1, hash: 1 } }).toArray()
    const hashOfId = new Map(sameId.map((image) => [image.id, image.hash]))
    const lost = [...new Set(members.filter((member) => hashOfId.get(member.id) !== member.hash).map((member) => member.hash))]
    const firstWithHash = new Map<string, number>()
    if (lost.length) {
      for (const image of await this.c.images.find({ hash: { $in: lost } }, { projection: { id: 1, hash: 1 }, sort: { id: 1 } }).toArray()) {
        if (!firstWithHash.has(image.hash)) firstWithHash.set(image.hash, image.id)
      }
    }
    return members.map((member) => ({
      position: member.position,
      member: { id: member.id, hash: member.hash },
      currentId: hashOfId.get(member.id) === member.hash ? member.id : firstWithHash.get(member.hash) ?? null,
    }))
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.c.batchSets.deleteOne({ _id: id })
    await this.c.batchMembers.deleteMany({ set: id })
    return result.deletedCount > 0
  }
}
