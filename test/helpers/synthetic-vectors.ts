import { seededRandom } from '../../shared/seeded-random'

export { seededRandom }

/** Standard normal numbers from a uniform generator (Box–Muller, both values used). */
function gaussian(random: () => number): () => number {
  let spare: number | undefined
  return () => {
    if (spare !== undefined) {
      const value = spare
      spare = undefined
      return value
    }
    const radius = Math.sqrt(-2 * Math.log(1 - random()))
    const angle = 2 * Math.PI * random()
    spare = radius * Math.sin(angle)
    return radius * Math.cos(angle)
  }
}

export interface ClusteredOptions {
  count: number
  dims: number
  centroids: number
  /** Length of the noise added to a unit centroid: the cosine to it is about 1/√(1+noise²) (0.75 → 0.8). */
  noise: number
  seed: number
  /** Draws another sample around the same centroids (queries): a different noise stream. */
  offset?: number
}

/**
 * Unit vectors shaped like CLIP image embeddings: random unit centroids, each vector one of them
 * plus Gaussian noise, normalised. One flat array, `count` vectors of `dims`.
 *
 * @example
 * const data = clusteredVectors({ count: 1000, dims: 512, centroids: 20, noise: 0.75, seed: 1 })
 */
export function clusteredVectors(options: ClusteredOptions): Float32Array {
  const { count, dims } = options
  const centres = uniformVectors(options.centroids, dims, options.seed)
  const random = seededRandom(options.seed * 7919 + (options.offset ?? 0) + 1)
  const normal = gaussian(random)
  const out = new Float32Array(count * dims)
  const scale = options.noise / Math.sqrt(dims)
  for (let i = 0; i < count; i++) {
    const c = Math.floor(random() * options.centroids) * dims
    let norm = 0
    for (let d = 0; d < dims; d++) {
      const value = centres[c + d]! + normal() * scale
      out[i * dims + d] = value
      norm += value * value
    }
    const inverse = 1 / Math.sqrt(norm)
    for (let d = 0; d < dims; d++) out[i * dims + d]! *= inverse
  }
  return out
}

/** Unit vectors uniform on the sphere. */
export function uniformVectors(count: number, dims: number, seed: number): Float32Array {
  const normal = gaussian(seededRandom(seed))
  const out = new Float32Array(count * dims)
  for (let i = 0; i < count; i++) {
    let norm = 0
    for (let d = 0; d < dims; d++) {
      const value = normal()
      out[i * dims + d] = value
      norm += value * value
    }
    const inverse = 1 / Math.sqrt(norm)
    for (let d = 0; d < dims; d++) out[i * dims + d]! *= inverse
  }
  return out
}
