import { ConsistencyLevelEnum } from '@zilliz/milvus2-sdk-node'

/**
 * Milvus 2.3's `common.gracefulTime` default, in ms. A Bounded search's guarantee timestamp is the
 * proxy's current time minus the graceful time (proxy `parseGuaranteeTsFromConsistency`); the query
 * node searches once it has consumed the write stream up to that timestamp, which it almost always
 * has already, so the search does not wait. It sees every write acknowledged at least the graceful
 * time before it arrived, and may miss younger ones. A Strong search's guarantee timestamp is the
 * proxy's current time itself: the query node first waits for the next time tick (about 0.2 s, up
 * to 0.4 s, on the test server: bench/milvus-consistency.bench.ts).
 */
export const MILVUS_GRACEFUL_TIME_MS = 5_000

/**
 * How long after this process's last write to a collection its searches of it ask for Strong: the
 * graceful time and a margin, as the write's timestamp (taken by Milvus) and this window (measured
 * here, from the write's acknowledgement) come from two clocks. A Milvus whose `common.gracefulTime`
 * is raised above 6 s would need this raised too.
 */
export const READ_YOUR_WRITES_MS = MILVUS_GRACEFUL_TIME_MS + 1_000

/**
 * The consistency level of a search of a collection this process last wrote to at `lastWriteAt`
 * (ms on the same monotonic clock as `now`; undefined when it never did). Strong within the
 * read-your-writes window, so a search sees this process's own writes at once (the SDK 2.3.5 does
 * not carry a session timestamp, so Session cannot); Bounded otherwise, which answers at once and
 * sees every write older than the graceful time, other processes' writes included.
 *
 * @example
 * searchConsistency(undefined, performance.now()) // ConsistencyLevelEnum.Bounded
 */
export function searchConsistency(lastWriteAt: number | undefined, now: number): ConsistencyLevelEnum {
  // A clock that went backwards (now < lastWriteAt) stays Strong: the safe side.
  if (lastWriteAt !== undefined && now - lastWriteAt < READ_YOUR_WRITES_MS) return ConsistencyLevelEnum.Strong
  return ConsistencyLevelEnum.Bounded
}
