import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { withTrustedSvg } from '../../media/image-decoder'

/**
 * Illustration-like test images of 1–2 megapixels: flat-colour shapes with dark outlines (cel
 * shading), a gradient sky, hatching, and a speech bubble or caption with Japanese and English text,
 * so the tagger and CLIP see full-size inputs and OCR has lines to find. PNG and JPEG alternate,
 * as in a real collection. Deterministic; reused when already written.
 */
export async function makeIllustrations(folder: string, count: number): Promise<string[]> {
  mkdirSync(folder, { recursive: true })
  let seed = 20261206
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!
  const palette = ['#f4c7c3', '#fbe3a1', '#c9e4f6', '#d7f0c8', '#e8d3f5', '#ffd1dc', '#a7d8de', '#f7a072', '#6c8ebf', '#5b4a72']
  const lines = ['今日はいい天気だね！', 'また明日ね', 'ありがとう', 'Happy Birthday!', 'ちょっと待って…', 'Sagasu Comic Vol.2', '放課後の約束', 'See you tomorrow']
  const paths: string[] = []
  for (let i = 0; i < count; i++) {
    // 1.0–2.0 megapixels, portrait or landscape, as illustrations are.
    const megapixels = 1 + random()
    const aspect = pick([0.70, 0.75, 1, 1.33, 1.41])
    const width = Math.round(Math.sqrt((megapixels * 1e6) * aspect))
    const height = Math.round((megapixels * 1e6) / width)
    const path = join(folder, `illustration-${String(i).padStart(3, '0')}.${i % 2 === 0 ? 'png' : 'jpg'}`)
    paths.push(path)
    if (existsSync(path)) continue
    const shapes: string[] = []
    for (let s = 0; s < 14; s++) {
      const x = random() * width, y = random() * height, r = (0.05 + random() * 0.2) * Math.min(width, height)
      shapes.push(random() < 0.5
        ? `<circle cx="${x.toFixed(0)}" cy="${y.toFixed(0)}" r="${r.toFixed(0)}" fill="${pick(palette)}" stroke="#222" stroke-width="${(3 + random() * 5).toFixed(1)}"/>`
        : `<path d="M${x.toFixed(0)},${y.toFixed(0)} q${(r * 1.5).toFixed(0)},${(-r).toFixed(0)} ${(r * 2.5).toFixed(0)},0 t${(r * 1.2).toFixed(0)},${(r * 1.4).toFixed(0)} z" fill="${pick(palette)}" stroke="#222" stroke-width="4"/>`)
    }
    for (let h = 0; h < 40; h++) {
      const x = random() * width, y = random() * height
      shapes.push(`<line x1="${x.toFixed(0)}" y1="${y.toFixed(0)}" x2="${(x + 60).toFixed(0)}" y2="${(y + 30).toFixed(0)}" stroke="#333" stroke-width="1.5" opacity="0.6"/>`)
    }
    const fontSize = Math.round(Math.min(width, height) * (0.03 + random() * 0.03))
    const bubbleX = random() * width * 0.5, bubbleY = random() * height * 0.6
    const text = [pick(lines), pick(lines)]
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${pick(palette)}"/><stop offset="1" stop-color="#ffffff"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#sky)"/>
${shapes.join('\n')}
<rect x="${bubbleX.toFixed(0)}" y="${bubbleY.toFixed(0)}" rx="${fontSize}" width="${(fontSize * 11).toFixed(0)}" height="${(fontSize * 3.4).toFixed(0)}" fill="#fff" stroke="#111" stroke-width="4"/>
${text.map((line, n) => `<text x="${(bubbleX + fontSize * 0.6).toFixed(0)}" y="${(bubbleY + fontSize * (1.4 + n * 1.4)).toFixed(0)}" font-family="Noto Sans CJK JP, DejaVu Sans" font-size="${fontSize}" fill="#111">${line}</text>`).join('\n')}
</svg>`
    // The SVG loader is blocked for everything but Sagasu's own drawings (workers/stages/image-decoder.ts).
    await withTrustedSvg(async () => {
      const image = sharp(Buffer.from(svg))
      await (i % 2 === 0 ? image.png() : image.jpeg({ quality: 90 })).toFile(path)
    })
  }
  return paths
}
