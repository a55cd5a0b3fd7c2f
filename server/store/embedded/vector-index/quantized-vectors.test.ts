import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { clusteredVectors, seededRandom } from '../../../../test/helpers/synthetic-vectors'
import { INT8_SLACK, rerankDepth } from './nearest-planner'
import { QuantizedVectors } from './quantized-vectors'

const DIMS = 64
const COUNT = 3000
const data = clusteredVectors({ count: COUNT, dims: DIMS, centroids: 30, noise: 0.75, seed: 3 })
const queries = clusteredVectors({ count: 40, dims: DIMS, centroids: 30, noise: 0.75, seed: 3, offset: 5 })
const vectorOf = (id: number): Float32Array => data.subarray(id * DIMS, (id + 1) * DIMS)
const queryOf = (q: number): Float32Array => queries.subarray(q * DIMS, (q + 1) * DIMS)

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0
  for (let d = 0; d < a.length; d++) sum += a[d]! * b[d]!
  return sum
}

function exactTop(query: Float32Array, ids: number[], k: number): number[] {
  return ids.map((id) => ({ id, score: dot(vectorOf(id), query) })).sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k).map((hit) => hit.id)
}

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function filled(ids: number[]): QuantizedVectors {
  const vectors = new QuantizedVectors(DIMS, 4)
  const packed = new Float32Array(ids.length * DIMS)
  ids.forEach((id, n) => packed.set(vectorOf(id), n * DIMS))
  vectors.add(ids, packed)
  return vectors
}

describe('QuantizedVectors (the int8 copy the exact path ranks)', () => {
  const all = Array.from({ length: COUNT }, (_, id) => id)

  it('scores within the slack the planner allows of the float32 cosine', () => {
    const vectors = filled(all)
    for (let q = 0; q < 10; q++) {
      const found = vectors.candidates(queryOf(q), undefined, 50)
      found.ids.forEach((id, n) => expect(Math.abs(found.scores[n]! - dot(vectorOf(id), queryOf(q)))).toBeLessThan(INT8_SLACK))
    }
  })

  it('its re-ranking depth holds the true top-k, over all vectors and over a subset', () => {
    const vectors = filled(all)
    const random = seededRandom(9)
    const subset = all.filter(() => random() < 0.1)
    for (let q = 0; q < queries.length / DIMS; q++) {
      for (const [ids, pool] of [[undefined, all], [subset, subset]] as const) {
        const candidates = vectors.candidates(queryOf(q), ids, rerankDepth(10)).ids
        const reranked = exactTop(queryOf(q), candidates, 10)
        expect(reranked).toEqual(exactTop(queryOf(q), pool, 10))
        if (ids) for (const id of candidates) expect(subset).toContain(id)
      }
    }
  })

  it('replaces, removes (moving the last vector into the gap) and skips ids it does not hold', () => {
    const vectors = filled([0, 1, 2, 3])
    vectors.add([1], vectorOf(100))
    expect(vectors.size()).toBe(4)
    vectors.remove(0)
    vectors.remove(0)
    expect(vectors.size()).toBe(3)
    expect(vectors.has(0)).toBe(false)
    const found = vectors.candidates(vectorOf(100), [0, 1, 2, 3, 99_999], 4)
    expect(found.ids[0]).toBe(1)
    expect([...found.ids].sort()).toEqual([1, 2, 3])
    expect(vectors.candidates(vectorOf(3), undefined, 1).ids).toEqual([3])
  })

  it('saves and loads the same vectors, and refuses a file of another dimension', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sagasu-int8-'))
    dirs.push(dir)
    const vectors = filled(all.slice(0, 500))
    vectors.remove(17)
    const path = join(dir, 'int8.bin')
    vectors.save(path)
    const loaded = QuantizedVectors.load(path, DIMS)
    expect(loaded.size()).toBe(499)
    expect(loaded.has(17)).toBe(false)
    for (let q = 0; q < 5; q++) expect(loaded.candidates(queryOf(q), undefined, 20)).toEqual(vectors.candidates(queryOf(q), undefined, 20))
    expect(() => QuantizedVectors.load(path, DIMS * 2)).toThrow(/64-dimension vectors, expected 128/)
  })
})
