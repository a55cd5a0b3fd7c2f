import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** A model folder in memory: relative path → content. */
export type ModelFiles = Map<string, Uint8Array | string>

/** Pretty JSON with a final newline, as the committed fixtures are. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

export async function writeModelFiles(folder: string, files: ModelFiles): Promise<void> {
  for (const [path, content] of files) {
    const target = join(folder, path)
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, content)
  }
}
