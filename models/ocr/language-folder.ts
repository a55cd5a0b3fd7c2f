import { copyFile, lstat, mkdir, readlink, rename, rm, stat, symlink } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export type OcrLanguage = 'jpn' | 'jpn_vert' | 'chi_sim' | 'eng'

/**
 * Which traineddata of the @tesseract.js-data packages: `4.0.0` (tessdata, LSTM + legacy, the more
 * accurate for CJK here, 2–20 MB each) or `4.0.0_best_int` (LSTM only, about 2 MB each).
 */
export type OcrDataVariant = '4.0.0' | '4.0.0_best_int'

/** The gzipped traineddata shipped in node_modules by `@tesseract.js-data/<language>`. */
export function packagedDataFile(language: OcrLanguage, variant: OcrDataVariant): string {
  let packageJson: string
  try {
    // Made per call, not at module load: in the built server import.meta.url is only right once its entry has run.
    packageJson = createRequire(import.meta.url).resolve(`@tesseract.js-data/${language}/package.json`)
  } catch {
    throw new Error(`OCR language data for ${language} is not installed: the npm package @tesseract.js-data/${language} is missing`)
  }
  return join(dirname(packageJson), variant, `${language}.traineddata.gz`)
}

/**
 * Makes `<dataDir>/models/tesseract/<variant>/` hold `<language>.traineddata.gz` for each language,
 * as symbolic links into node_modules (copies where links cannot be made, e.g. on Windows without
 * the privilege), and returns the folder: tesseract.js reads every language from one `langPath`
 * folder, while each data package has its own. (Passing the data itself as `{code, data}` objects
 * is broken in tesseract.js 6 and 7: the worker initialises with the data bytes as the language
 * name.) Entries that point elsewhere (node_modules moved, package updated) are replaced.
 */
export async function prepareLanguageFolder(dataDir: string, languages: readonly OcrLanguage[], variant: OcrDataVariant): Promise<string> {
  const folder = join(dataDir, 'models', 'tesseract', variant)
  await mkdir(folder, { recursive: true })
  for (const language of languages) {
    const source = packagedDataFile(language, variant)
    const sourceStat = await stat(source).catch(() => null)
    if (!sourceStat?.isFile()) throw new Error(`OCR language data for ${language} is missing: ${source} does not exist (reinstall @tesseract.js-data/${language})`)
    const target = join(folder, `${language}.traineddata.gz`)
    if (await isCurrent(target, source, sourceStat.size)) continue
    await replaceWithLinkOrCopy(target, source)
  }
  return folder
}

async function isCurrent(target: string, source: string, sourceSize: number): Promise<boolean> {
  const entry = await lstat(target).catch(() => null)
  if (!entry) return false
  if (entry.isSymbolicLink()) {
    // A link that still names the same file which still exists.
    return (await readlink(target)) === source && (await stat(target).then((found) => found.isFile(), () => false))
  }
  // A copy made where links were refused: same size is the staleness check (the packages are
  // versioned, a changed file has a changed size in practice).
  return entry.isFile() && entry.size === sourceSize
}

/** Links (or copies) under a unique temporary name, then renames over the target: concurrent starts cannot see half a file. */
async function replaceWithLinkOrCopy(target: string, source: string): Promise<void> {
  const temporary = `${target}.${process.pid}.${randomUUID()}.tmp`
  try {
    try {
      await symlink(source, temporary, 'file')
    } catch (error) {
      if (!isLinkRefused(error)) throw error
      await copyFile(source, temporary)
    }
    await rename(temporary, target)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}

function isLinkRefused(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'EPERM' || code === 'EACCES' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV'
}
