import type { OcrEngineImage } from '../ocr-engine'

export type Raster = OcrEngineImage

/** Throws when the pixels do not match the stated size. */
export function checkRaster(image: Raster): void {
  const { width, height, channels, data } = image
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new Error(`the image is ${width}×${height} pixels`)
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new Error(`the image has ${String(channels)} channels; 1, 3 or 4 are read`)
  if (data.length < width * height * channels) throw new Error(`the image data holds ${data.length} bytes, ${width}×${height}×${channels} expected`)
}

/** Offsets of B, G, R within a pixel: PaddleOCR's models are trained on OpenCV's BGR order. */
export function bgrOffsets(channels: number): readonly [number, number, number] {
  return channels === 1 ? [0, 0, 0] : [2, 1, 0]
}
