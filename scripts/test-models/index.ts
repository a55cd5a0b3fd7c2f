import { join } from 'node:path'
import { tinyClipFiles } from './tiny-clip'
import { tinyTaggerFiles } from './tiny-tagger'
import { writeModelFiles } from './model-files'

/** The fixture model folders, by the name they have under `test/fixtures/models/`. */
export const TEST_MODEL_FOLDERS = {
  'tiny-clip': tinyClipFiles,
  'tiny-wd14': () => tinyTaggerFiles('wd14'),
  'tiny-deepdanbooru': () => tinyTaggerFiles('deepdanbooru'),
} as const

/**
 * Writes every fixture model folder under `root`. Deterministic: the committed fixtures are what
 * this writes, and a test checks it byte for byte.
 *
 * @example
 * await writeTestModels('test/fixtures/models')
 */
export async function writeTestModels(root: string): Promise<string[]> {
  const written: string[] = []
  for (const [name, files] of Object.entries(TEST_MODEL_FOLDERS)) {
    await writeModelFiles(join(root, name), files())
    written.push(name)
  }
  return written
}
