import type { SagasuConfig } from '../../config/schema'
import { firstLine } from '../../models/model-load-error'
import { decodeImage } from '../../models/decoded-image'
import { MODEL_DECODE_NEED, modelImageFrom, ModelImageError } from '../../models/model-image'
import { clipSource } from '../../models/model-sources'
import { sharedModelRegistry } from '../../models/shared-registry'
import { queryImageProblem, RASTER_FORMAT_LIST } from '../../media/image-format'
import { QueryError } from './query-error'
import type { ClipEncoder } from './similarity-search'

/**
 * The CLIP model of the configuration as a search-side encoder: the same loaded model as the
 * `embed` stage (one registry per process), and the same decode and image preparation, so query
 * vectors and image vectors share a space. A model that cannot load, or an image it cannot read,
 * is the user's problem to fix: a QueryError. The upload is decoded in memory, never written out.
 */
export function clipEncoder(config: SagasuConfig): ClipEncoder {
  const source = clipSource(config)
  const registry = sharedModelRegistry(config)
  const asQueryError = (what: string) => (error: unknown): never => {
    if (error instanceof QueryError) throw error
    throw new QueryError({ message: `${what}: ${error instanceof Error ? error.message : String(error)}`, position: 0 })
  }
  return {
    model: source.key,
    async embedText(text) {
      const [vector] = await registry.use(source.key, source.load, (clip) => clip.embedText([text])).catch(asQueryError('CLIP search is not available'))
      return vector!
    },
    async embedImage(bytes) {
      // By the magic, before anything decodes it (an SVG would make the decoder open the files it names).
      const problem = queryImageProblem(bytes)
      if (problem) throw new QueryError({ message: problem, position: 0, hint: `send ${RASTER_FORMAT_LIST}` })
      // Decoded from memory by the same function the embed stage uses, then prepared the same way.
      const decoded = await decodeImage(bytes, [MODEL_DECODE_NEED])
      const [vector] = await registry
        .use(source.key, source.load, async (clip) => {
          const image = await modelImageFrom(decoded, clip.imageSize, 'cover').catch((error: unknown) => {
            const reason = error instanceof ModelImageError ? error.message : `cannot prepare the image: ${firstLine(error)}`
            throw new QueryError({ message: `image: ${reason}`, position: 0, hint: `send ${RASTER_FORMAT_LIST}` })
          })
          return clip.embedImages([image])
        })
        .catch(asQueryError('CLIP search is not available'))
      return vector!
    },
  }
}
