// The bit stream A1111's stealth_pnginfo extension hides in pixel low bits, as its writer lays it
// out (ashen-sensored/sd_webui_stealth_pnginfo, scripts/stealth_pnginfo.py, commit
// b58ed5f28be72196b8dd47601ec11c9fa6d8664a, add_data): pixels are visited column by column
// (x outer, y inner), each pixel gives the low bit of its alpha sample ("alpha" mode) or of its
// red, green and blue samples in that order ("rgb" mode), and eight bits make one byte, most
// significant bit first. NovelAI writes its alpha copy the same way.

/** Decoded samples of the leftmost columns of an image, row by row, interleaved channels. */
export interface PixelRegion {
  /**
   * 8-bit samples. sharp's raw output keeps the high byte of 16-bit samples, as Pillow does when
   * it hands 16-bit PNGs to both writers as 8-bit images.
   */
  data: Buffer
  /** Columns in the region (the image's leftmost ones). */
  width: number
  /** Rows in the region: the image's height whenever the region holds more than one column. */
  height: number
  channels: number
}

export type StealthMode = 'alpha' | 'rgb'

/** Which channel of a pixel each bit comes from, in stream order. */
export function carrierChannels(mode: StealthMode, channels: number): number[] {
  return mode === 'alpha' ? [channels - 1] : [0, 1, 2]
}

/** Bits the stream can hold in a `width` x `height` image. */
export function streamCapacity(mode: StealthMode, width: number, height: number): number {
  return width * height * (mode === 'alpha' ? 1 : 3)
}

/** `count` bytes of the stream starting at bit `fromBit`, or undefined when the region ends first. */
export function readStreamBytes(region: PixelRegion, mode: StealthMode, fromBit: number, count: number): Buffer | undefined {
  const carriers = carrierChannels(mode, region.channels)
  const endBit = fromBit + count * 8
  const pixelsNeeded = Math.ceil(endBit / carriers.length)
  if (pixelsNeeded > region.width * region.height) return undefined
  const { data, width, height, channels } = region
  const out = Buffer.alloc(count)
  let bit = fromBit
  for (let i = 0; i < count; i++) {
    let byte = 0
    for (let k = 0; k < 8; k++, bit++) {
      const pixel = Math.floor(bit / carriers.length)
      const x = Math.floor(pixel / height)
      const y = pixel - x * height
      const sample = (y * width + x) * channels + carriers[bit % carriers.length]!
      byte = (byte << 1) | (data[sample]! & 1)
    }
    out[i] = byte
  }
  return out
}
