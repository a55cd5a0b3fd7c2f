/**
 * A vector request the store cannot answer as given (wrong dimension, not unit length, k out of
 * range): the caller must fix it, so routes answer 400 and the CLI exits 2. Nothing is stored.
 *
 * @example
 * throw new VectorInputError('the vector has 256 dimensions; model "clip" has 512')
 */
export class VectorInputError extends Error {
  override name = 'VectorInputError'
}
