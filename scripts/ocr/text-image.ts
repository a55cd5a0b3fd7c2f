import sharp from 'sharp'
import { seededRandom } from '../../shared/seeded-random'
import { withTrustedSvg } from '../../media/image-decoder'

/**
 * Renders lines of text into a PNG (sharp draws the SVG with librsvg and the system's fonts), for
 * OCR fixtures and the OCR benchmark. CJK needs Noto Sans CJK (Debian/Ubuntu: fonts-noto-cjk);
 * without it librsvg draws boxes, so check `hasCjkFonts()` first.
 */
export interface TextImageSpec {
  script: 'latin' | 'jpn' | 'chi_sim'
  /** Vertical: one column per line, top to bottom, columns right to left (Japanese tategaki). */
  orientation: 'horizontal' | 'vertical'
  lines: readonly string[]
  fontSize: number
  /** white: black on white; colour: dark text on a pastel colour; noise: dark text on coloured speckles. */
  background: 'white' | 'colour' | 'noise'
  seed: number
}

const FONT: Record<TextImageSpec['script'], string> = {
  latin: 'DejaVu Sans',
  jpn: 'Noto Sans CJK JP',
  chi_sim: 'Noto Sans CJK SC',
}

export async function renderTextImage(spec: TextImageSpec): Promise<Buffer> {
  const random = mulberry32(spec.seed)
  const { width, height, body } = spec.orientation === 'horizontal' ? layoutHorizontal(spec) : layoutVertical(spec)
  const palette = pickColours(spec.background, random)
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`
    + (palette.background ? `<rect width="100%" height="100%" fill="${palette.background}"/>` : '')
    + `<g font-family="${FONT[spec.script]}" font-size="${spec.fontSize}" fill="${palette.text}">${body}</g></svg>`
  // Sagasu's own SVG: the SVG loader is blocked for everything else (media/image-decoder.ts).
  const overlay = await withTrustedSvg(() => sharp(Buffer.from(svg)).png().toBuffer())
  if (spec.background !== 'noise') return overlay
  return sharp(speckles(width, height, random), { raw: { width, height, channels: 3 } })
    .composite([{ input: overlay }])
    .png()
    .toBuffer()
}

/** True when fontconfig knows the CJK fonts the renderer needs. */
export async function hasCjkFonts(): Promise<boolean> {
  const { execFile } = await import('node:child_process')
  return new Promise((resolve) => {
    execFile('fc-list', [':', 'family'], (error, stdout) => resolve(!error && /Noto Sans CJK JP/.test(stdout) && /Noto Sans CJK SC/.test(stdout)))
  })
}

function layoutHorizontal(spec: TextImageSpec): { width: number; height: number; body: string } {
  const margin = Math.round(spec.fontSize * 0.8)
  const lineHeight = Math.round(spec.fontSize * 1.5)
  const widest = Math.max(...spec.lines.map((line) => estimateWidth(line, spec.fontSize)))
  const width = Math.ceil(widest + 2 * margin)
  const height = spec.lines.length * lineHeight + 2 * margin
  const body = spec.lines
    .map((line, i) => `<text x="${margin}" y="${margin + i * lineHeight + spec.fontSize}">${escapeXml(line)}</text>`)
    .join('')
  return { width, height, body }
}

function layoutVertical(spec: TextImageSpec): { width: number; height: number; body: string } {
  const margin = Math.round(spec.fontSize * 0.8)
  const columnWidth = Math.round(spec.fontSize * 1.5)
  const advance = Math.round(spec.fontSize * 1.05)
  const longest = Math.max(...spec.lines.map((line) => [...line].length))
  const width = spec.lines.length * columnWidth + 2 * margin
  const height = longest * advance + 2 * margin
  const body = spec.lines.flatMap((line, column) => {
    const x = width - margin - column * columnWidth - columnWidth / 2
    return [...line].map((char, i) => `<text x="${x}" y="${margin + i * advance + spec.fontSize * 0.88}" text-anchor="middle">${escapeXml(char)}</text>`)
  }).join('')
  return { width, height, body }
}

/** Generous widths, so a line never runs off the image: full-width for CJK, 0.65 em for the rest. */
function estimateWidth(line: string, fontSize: number): number {
  let ems = 0
  for (const char of line) ems += char.codePointAt(0)! > 0x2e80 ? 1.02 : 0.65
  return ems * fontSize
}

function pickColours(background: TextImageSpec['background'], random: () => number): { background: string | null; text: string } {
  if (background === 'white') return { background: '#ffffff', text: '#000000' }
  const hue = Math.floor(random() * 360)
  const text = `hsl(${(hue + 180) % 360}, 60%, ${12 + Math.floor(random() * 10)}%)`
  if (background === 'colour') return { background: `hsl(${hue}, 70%, ${78 + Math.floor(random() * 12)}%)`, text }
  return { background: null, text }
}

/** Light coloured speckles: every pixel a random colour in 150–255 per channel. */
function speckles(width: number, height: number, random: () => number): Buffer {
  const pixels = Buffer.alloc(width * height * 3)
  for (let i = 0; i < pixels.length; i++) pixels[i] = 150 + Math.floor(random() * 106)
  return pixels
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Small seeded PRNG so a seed always renders the same image. */
export const mulberry32 = seededRandom
