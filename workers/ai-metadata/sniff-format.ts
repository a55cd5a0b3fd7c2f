// Collections are full of misnamed files (.png that are JPEGs, .jpg that are
// WebP), so the container is decided by magic bytes; the format name from
// sharp or the extension is only a fallback.

export type Container = 'png' | 'jpeg' | 'webp' | 'tiff' | 'gif' | 'heif'

/** Container type from the leading bytes, or undefined if unrecognised. */
export function sniffContainer(buf: Buffer): Container | undefined {
  if (buf.length < 4) return undefined
  if (buf[0] === 0x89 && buf.toString('latin1', 1, 4) === 'PNG') return 'png'
  if (buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg'
  const head = buf.toString('latin1', 0, 4)
  if (head === 'GIF8') return 'gif'
  if (head === 'II*\0' || head === 'MM\0*') return 'tiff'
  if (buf.length >= 12 && head === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'webp'
  // ISO-BMFF: a box size, then "ftyp"; AVIF and HEIC share the layout.
  if (buf.length >= 12 && buf.toString('latin1', 4, 8) === 'ftyp') return 'heif'
  return undefined
}

const FORMAT_ALIASES = new Map<string, Container>([
  ['png', 'png'],
  ['jpeg', 'jpeg'],
  ['jpg', 'jpeg'],
  ['webp', 'webp'],
  ['tiff', 'tiff'],
  ['tif', 'tiff'],
  ['gif', 'gif'],
  ['heif', 'heif'],
  ['avif', 'heif'],
])

/** Container from magic bytes, else from a sharp format name or extension. */
export function resolveContainer(buf: Buffer, format: string): Container | undefined {
  return sniffContainer(buf) ?? FORMAT_ALIASES.get(format.toLowerCase().replace(/^\./, ''))
}
