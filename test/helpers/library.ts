import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import sharp from 'sharp'
import { stringify } from 'yaml'
import type { SagasuConfigInput } from '../../config/schema'

/** A fresh temporary folder. */
export function tempDir(prefix = 'sagasu-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** Writes an image of a given colour and size; the colour makes every file's content distinct. */
export async function writeImage(path: string, options: { width?: number; height?: number; color?: string; format?: 'png' | 'jpeg' | 'webp' | 'gif' } = {}): Promise<Buffer> {
  const { width = 64, height = 48, color = '#ff0000', format = 'png' } = options
  mkdirSync(dirname(path), { recursive: true })
  const buffer = await sharp({ create: { width, height, channels: 3, background: color } })[format]().toBuffer()
  writeFileSync(path, buffer)
  return buffer
}

/** A distinct colour per index, so n files have n different content hashes. */
export function colorOf(index: number): string {
  return `#${(((index + 1) * 2654435761) >>> 8).toString(16).padStart(6, '0').slice(-6)}`
}

/** Writes sagasu.config.yaml into `dir` and returns its path. */
export function writeConfig(dir: string, config: SagasuConfigInput): string {
  const file = join(dir, 'sagasu.config.yaml')
  writeFileSync(file, stringify(config))
  return file
}
