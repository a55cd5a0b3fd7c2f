import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TagCategory } from '../shared/types/image'
import type { ModelImageFit } from './model-image'
import { ModelLoadError, firstLine } from './model-load-error'

/**
 * The two tagger folder layouts and what each implies about the input:
 * - `wd14` (SmilingWolf's WD14 v3 family): `model.onnx` + `selected_tags.csv`
 *   (`tag_id,name,category,count`; category 9 rating, 0 general, 4 character). Input NHWC
 *   448×448, BGR 0–255, the image padded to a square with white.
 * - `deepdanbooru` (KichangKim's project folder with an ONNX export): `model.onnx`,
 *   `deepdanbooru.onnx` or the folder's only `.onnx`, `tags.txt` (one tag per line; ratings are the
 *   system tags `rating:*`), optional `tags-character.txt` / `tags-general.txt` naming the
 *   categories, optional `project.json` (`image_width`, `image_height`). Input NHWC 512×512,
 *   RGB 0–1, resized inside the square and padded with the edge pixels.
 */
export type TaggerLayoutKind = 'wd14' | 'deepdanbooru'

export interface TaggerTag {
  /** As stored: rating tags carry the `rating:` prefix in both layouts. */
  name: string
  category: TagCategory
}

export interface TaggerLayout {
  kind: TaggerLayoutKind
  folder: string
  modelFile: string
  /** The file the tag list came from, for error messages. */
  tagsFile: string
  tags: TaggerTag[]
  /** The input side the layout expects (the graph must agree when its size is fixed). */
  size: number
  channels: 'bgr' | 'rgb'
  /** What 1.0 of a channel is: 255 for WD14, 1 for DeepDanbooru. */
  scale: 255 | 1
  fit: ModelImageFit
}

const WD14_CATEGORIES: Record<string, TagCategory> = { 0: 'general', 1: 'artist', 3: 'copyright', 4: 'character', 5: 'meta', 9: 'rating' }

/**
 * Reads a tagger folder. `kind` 'auto' recognises the layout by its tag file.
 * Throws ModelLoadError naming the missing or unreadable file.
 *
 * @example
 * readTaggerLayout('test/fixtures/models/tiny-wd14', 'auto').kind // 'wd14'
 */
export function readTaggerLayout(folder: string, kind: TaggerLayoutKind | 'auto'): TaggerLayout {
  if (!existsSync(folder)) throw new ModelLoadError('tagger', `the model folder ${folder} does not exist`)
  const detected = kind === 'auto' ? detectLayout(folder) : kind
  return detected === 'wd14' ? readWd14(folder) : readDeepDanbooru(folder)
}

function detectLayout(folder: string): TaggerLayoutKind {
  if (existsSync(join(folder, 'selected_tags.csv'))) return 'wd14'
  if (existsSync(join(folder, 'tags.txt'))) return 'deepdanbooru'
  throw new ModelLoadError('tagger', `${folder} has neither selected_tags.csv (WD14 v3 layout) nor tags.txt (DeepDanbooru layout)`)
}

function readWd14(folder: string): TaggerLayout {
  const tagsFile = join(folder, 'selected_tags.csv')
  const modelFile = requireFile(join(folder, 'model.onnx'), 'the WD14 v3 layout')
  const rows = parseCsv(readText(tagsFile, 'the WD14 v3 layout'))
  const header = rows.shift() ?? []
  const nameColumn = header.indexOf('name')
  const categoryColumn = header.indexOf('category')
  if (nameColumn < 0 || categoryColumn < 0) throw new ModelLoadError('tagger', `${tagsFile} has no "name" and "category" columns (expected the header tag_id,name,category,count)`)
  const tags = rows.map((row, index): TaggerTag => {
    const name = row[nameColumn]
    const category = WD14_CATEGORIES[row[categoryColumn] ?? '']
    if (!name || !category) throw new ModelLoadError('tagger', `${tagsFile} line ${index + 2}: expected a tag name and a category of 0, 1, 3, 4, 5 or 9`)
    return { name: category === 'rating' ? `rating:${name}` : name, category }
  })
  if (tags.length === 0) throw new ModelLoadError('tagger', `${tagsFile} lists no tags`)
  return { kind: 'wd14', folder, modelFile, tagsFile, tags, size: 448, channels: 'bgr', scale: 255, fit: 'pad-white' }
}

function readDeepDanbooru(folder: string): TaggerLayout {
  const tagsFile = join(folder, 'tags.txt')
  const names = lines(readText(tagsFile, 'the DeepDanbooru layout'))
  if (names.length === 0) throw new ModelLoadError('tagger', `${tagsFile} lists no tags`)
  const characters = new Set(existsSync(join(folder, 'tags-character.txt')) ? lines(readText(join(folder, 'tags-character.txt'), 'the DeepDanbooru layout')) : [])
  const tags = names.map((name): TaggerTag => ({
    name,
    category: name.startsWith('rating:') ? 'rating' : characters.has(name) ? 'character' : 'general',
  }))
  return { kind: 'deepdanbooru', folder, modelFile: deepDanbooruModelFile(folder), tagsFile, tags, size: projectSize(folder), channels: 'rgb', scale: 1, fit: 'pad-edge' }
}

function deepDanbooruModelFile(folder: string): string {
  for (const name of ['model.onnx', 'deepdanbooru.onnx']) if (existsSync(join(folder, name))) return join(folder, name)
  // A `*_quantized.onnx` is the int8 copy of the model beside it (models.tagger.precision), never the model itself.
  const onnx = readdirSync(folder).filter((name) => name.endsWith('.onnx') && !name.endsWith('_quantized.onnx'))
  if (onnx.length === 1) return join(folder, onnx[0]!)
  throw new ModelLoadError('tagger', onnx.length === 0
    ? `${folder} has tags.txt (DeepDanbooru layout) but no model.onnx, deepdanbooru.onnx or other .onnx file`
    : `${folder} has several .onnx files (${onnx.join(', ')}); name the model model.onnx`)
}

/** DeepDanbooru's project.json records the training size; its released models use 512. */
function projectSize(folder: string): number {
  const path = join(folder, 'project.json')
  if (!existsSync(path)) return 512
  let project: unknown
  try {
    project = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new ModelLoadError('tagger', `${path} is not valid JSON: ${firstLine(error)}`)
  }
  const { image_width: width, image_height: height } = (project ?? {}) as { image_width?: unknown; image_height?: unknown }
  if (width === undefined && height === undefined) return 512
  if (typeof width !== 'number' || width !== height || !Number.isInteger(width) || width < 32 || width > 2048) {
    throw new ModelLoadError('tagger', `${path}: image_width and image_height must be one square size between 32 and 2048`)
  }
  return width
}

function requireFile(path: string, layout: string): string {
  if (!existsSync(path)) throw new ModelLoadError('tagger', `${path} is missing (${layout} needs it)`)
  return path
}

function readText(path: string, layout: string): string {
  requireFile(path, layout)
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new ModelLoadError('tagger', `cannot read ${path}: ${firstLine(error)}`)
  }
}

function lines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0)
}

/** RFC 4180 fields: quotes around fields with commas, "" for a quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      if (row.some((value) => value !== '')) rows.push(row)
      row = []
      field = ''
    } else field += c
  }
  row.push(field)
  if (row.some((value) => value !== '')) rows.push(row)
  return rows
}
