import { VectorInputError } from '../../vector-input-error'

/** How far from 1 a vector's length may be and still count as L2-normalised (float16 models round). */
const UNIT_TOLERANCE = 1e-2

/** A vector as stored in SQLite: float32, little-endian (every platform Sagasu runs on). */
export function vectorToBytes(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength))
}

/** A stored vector back as an array of its own (not a view into SQLite's buffer). */
export function bytesToVector(bytes: Buffer): Float32Array {
  const vector = new Float32Array(bytes.byteLength / 4)
  new Uint8Array(vector.buffer).set(bytes)
  return vector
}

/**
 * Checks a vector the caller hands in: finite numbers, unit length, and `dims` long when the model
 * already has vectors. Throws VectorInputError naming what is wrong.
 */
export function checkVector(vector: Float32Array, dims: number | undefined, model: string): void {
  if (!(vector instanceof Float32Array) || vector.length === 0) throw new VectorInputError('the vector must be a non-empty Float32Array')
  if (dims !== undefined && vector.length !== dims) {
    throw new VectorInputError(`the vector has ${vector.length} dimensions; model "${model}" has ${dims}`)
  }
  let norm = 0
  for (let k = 0; k < vector.length; k++) {
    const v = vector[k]!
    if (!Number.isFinite(v)) throw new VectorInputError(`the vector has a non-finite value at index ${k}`)
    norm += v * v
  }
  if (Math.abs(Math.sqrt(norm) - 1) > UNIT_TOLERANCE) {
    throw new VectorInputError(`the vector must be L2-normalised (its length is ${Math.sqrt(norm).toPrecision(4)})`)
  }
}

/**
 * The vector as an array that owns its whole buffer: usearch's binding reads a typed array from
 * the start of its buffer and ignores `byteOffset`, so a subarray would be read as the wrong vector.
 */
export function standalone(vector: Float32Array): Float32Array {
  return vector.byteOffset === 0 && vector.byteLength === vector.buffer.byteLength ? vector : vector.slice()
}
