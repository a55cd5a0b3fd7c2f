export type { AiParameters } from './ai-parameters'
export { readAiMetadata } from './read-ai-metadata'
export { parseA1111Parameters } from './a1111'
export { parseComfyPrompt, parseComfyUi, parseComfyWorkflow } from './comfyui'
export { parseNovelAi, isNovelAi } from './novelai'
export {
  readPngMetadata,
  readPngTextChunks,
  writePngExif,
  writePngTextChunks,
  type PngMetadata,
  type WritePngTextOptions,
} from './png-chunks'
export {
  readExifText,
  readExifUserComment,
  writeExifUserComment,
  type ExifText,
  type WriteExifOptions,
} from './exif-user-comment'
export { insertJpegExif, readJpegMetadata, type JpegMetadata } from './jpeg-segments'
export { insertWebpExif, readWebpMetadata, type WebpMetadata } from './webp-chunks'
export { sniffContainer, type Container } from './sniff-format'
