import { ConsistencyLevelEnum } from '@zilliz/milvus2-sdk-node'
import { describe, expect, it } from 'vitest'
import { MILVUS_GRACEFUL_TIME_MS, READ_YOUR_WRITES_MS, searchConsistency } from './milvus-consistency'

describe('searchConsistency', () => {
  const now = 1_000_000

  it('is Bounded for a collection this process never wrote to', () => {
    expect(searchConsistency(undefined, now)).toBe(ConsistencyLevelEnum.Bounded)
  })

  it('is Strong within the window after this process\'s write, and Bounded from its end on', () => {
    expect(searchConsistency(now, now)).toBe(ConsistencyLevelEnum.Strong)
    expect(searchConsistency(now - MILVUS_GRACEFUL_TIME_MS, now)).toBe(ConsistencyLevelEnum.Strong)
    expect(searchConsistency(now - READ_YOUR_WRITES_MS + 1, now)).toBe(ConsistencyLevelEnum.Strong)
    expect(searchConsistency(now - READ_YOUR_WRITES_MS, now)).toBe(ConsistencyLevelEnum.Bounded)
    expect(searchConsistency(now - 60_000, now)).toBe(ConsistencyLevelEnum.Bounded)
  })

  it('keeps a margin over Milvus\'s graceful time', () => {
    expect(READ_YOUR_WRITES_MS).toBeGreaterThan(MILVUS_GRACEFUL_TIME_MS)
  })

  it('stays Strong when the clock reads before the write', () => {
    expect(searchConsistency(now + 10, now)).toBe(ConsistencyLevelEnum.Strong)
  })
})
