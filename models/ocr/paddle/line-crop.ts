import type { Quad } from './geometry'
import { bgrOffsets, type Raster } from './raster'

export interface LineCrop {
  /** CHW, B G R planes, normalised to [-1, 1] as PaddleOCR's recogniser expects ((x/255 − 0.5) / 0.5). */
  tensor: Float32Array
  width: number
  height: number
}

/**
 * Cuts the text line `quad` out of the image and scales it to `height` pixels high, in one
 * bilinear pass (the quad may be rotated). A vertical line is turned 90° counter-clockwise first,
 * as PaddleOCR does for crops at least 1.5 times taller than wide (`np.rot90` in
 * get_rotate_crop_image): its first character ends up on the left. `maxWidth` bounds the memory a
 * very long line takes.
 */
export function cropLine(image: Raster, quad: Quad, vertical: boolean, height: number, maxWidth: number): LineCrop {
  const [p0, p1, , p3] = quad
  const sideW = Math.max(1, Math.hypot(p1.x - p0.x, p1.y - p0.y))
  const sideH = Math.max(1, Math.hypot(p3.x - p0.x, p3.y - p0.y))
  const ux = (p1.x - p0.x) / sideW, uy = (p1.y - p0.y) / sideW
  const vx = (p3.x - p0.x) / sideH, vy = (p3.y - p0.y) / sideH
  // Size of the crop as the recogniser sees it (after the turn for vertical lines).
  const seenW = vertical ? sideH : sideW
  const seenH = vertical ? sideW : sideH
  const width = Math.max(1, Math.min(maxWidth, Math.ceil((height * seenW) / seenH)))
  const tensor = new Float32Array(3 * height * width)
  const plane = height * width
  const [b, g, r] = bgrOffsets(image.channels)
  const { data, channels } = image
  const maxX = image.width - 1, maxY = image.height - 1
  for (let oy = 0; oy < height; oy++) {
    const t = ((oy + 0.5) * seenH) / height
    for (let ox = 0; ox < width; ox++) {
      const s = ((ox + 0.5) * seenW) / width
      // Position in the unturned crop: turning counter-clockwise maps the crop's top to the left.
      const cx = vertical ? sideW - t : s
      const cy = vertical ? s : t
      const x = Math.min(maxX, Math.max(0, p0.x + cx * ux + cy * vx - 0.5))
      const y = Math.min(maxY, Math.max(0, p0.y + cx * uy + cy * vy - 0.5))
      const x0 = x | 0, y0 = y | 0
      const x1 = x0 < maxX ? x0 + 1 : x0, y1 = y0 < maxY ? y0 + 1 : y0
      const fx = x - x0, fy = y - y0
      const i00 = (y0 * image.width + x0) * channels, i01 = (y0 * image.width + x1) * channels
      const i10 = (y1 * image.width + x0) * channels, i11 = (y1 * image.width + x1) * channels
      const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy
      const out = oy * width + ox
      tensor[out] = (data[i00 + b]! * w00 + data[i01 + b]! * w01 + data[i10 + b]! * w10 + data[i11 + b]! * w11) / 127.5 - 1
      tensor[plane + out] = (data[i00 + g]! * w00 + data[i01 + g]! * w01 + data[i10 + g]! * w10 + data[i11 + g]! * w11) / 127.5 - 1
      tensor[2 * plane + out] = (data[i00 + r]! * w00 + data[i01 + r]! * w01 + data[i10 + r]! * w10 + data[i11 + r]! * w11) / 127.5 - 1
    }
  }
  return { tensor, width, height }
}
