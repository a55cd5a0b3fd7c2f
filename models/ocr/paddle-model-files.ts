import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { SagasuConfig } from '../../config/schema'
import { DEFAULT_PADDLE_OCR_MODEL } from '../../config/schema'
import { downloadModelFiles, isModelId, localModelFolder, missingFiles, probeHub, type HubOptions } from '../model-hub'
import { ModelLoadError, firstLine } from '../model-load-error'
import { OnnxFormatError, readOnnxGraphInfo, type OnnxGraphInfo } from '../onnx-graph-info'

/** The files the paddle engine reads, as absolute paths. */
export interface PaddleModelFiles {
  /** PP-OCR DB text detector: input `x` [N, 3, H, W], output [N, 1, H, W]. */
  det: string
  /** CTC recogniser: input `x` [N, 3, 48, W], output [N, T, dictionary entries + 2]. */
  rec: string
  /** Optional 0°/180° text-line classifier: input [N, 3, 48, 192], output [N, 2]. */
  cls?: string
  /** The recogniser's dictionary: one entry a line; class 0 is the CTC blank, the last class a space. */
  dict: string
}

/** The file names of a model folder (docs/models.md, "OCR"). */
export const PADDLE_MODEL_LAYOUT = { det: 'det.onnx', rec: 'rec.onnx', cls: 'cls.onnx', dict: 'dict.txt' } as const
const REQUIRED = [PADDLE_MODEL_LAYOUT.det, PADDLE_MODEL_LAYOUT.rec, PADDLE_MODEL_LAYOUT.dict] as const

/**
 * PaddlePaddle publishes PP-OCRv5 mobile as ONNX in two hub repositories, each holding
 * `inference.onnx` and the `inference.yml` PaddleX reads; the recogniser's dictionary is that
 * yml's `PostProcess.character_dict`. `models.ocr.model.name: PP-OCRv5_mobile` fetches this pair.
 */
export const OFFICIAL_PPOCRV5_MOBILE = {
  det: 'PaddlePaddle/PP-OCRv5_mobile_det_onnx',
  rec: 'PaddlePaddle/PP-OCRv5_mobile_rec_onnx',
} as const

/**
 * Finds (downloading once when named by id) and checks the paddle OCR model's files. Throws a
 * ModelLoadError ("OCR disabled: …") naming the missing or unreadable file; the stage is then
 * reported disabled and the other stages go on.
 *
 * @example
 * const files = await resolvePaddleModelFiles(config)
 * // { det: '/data/models/…/det.onnx', rec: '…', dict: '…' }
 */
export async function resolvePaddleModelFiles(config: SagasuConfig, dataDir: string = config.dataDir): Promise<PaddleModelFiles> {
  const { name, path } = config.models.ocr.model
  const hub: HubOptions = { hubUrl: config.models.hubUrl, modelsDir: join(dataDir, 'models'), timeoutMs: config.models.hubTimeoutSeconds * 1000 }
  let files: PaddleModelFiles
  if (path) files = folderFiles(path, 'models.ocr.model.path')
  else if (name === DEFAULT_PADDLE_OCR_MODEL) files = await officialFiles(hub)
  else files = await hubFolderFiles(name, hub)
  checkModelFiles(files)
  return files
}

/**
 * The model's part of the OCR stage version, known without loading it (the stage's version is
 * asked for before its first load): a named model by its name, since what a name downloads does not
 * change once it is in the data directory (as for the tagger); a folder by its path and the content
 * of its files, so new files under the same path read the images again. The digest is kept while
 * the files' sizes and times stay the same.
 */
export function paddleModelIdentity(config: SagasuConfig): string {
  const { name, path } = config.models.ocr.model
  return path ? `${path}#${folderDigest(path)}` : name
}

const digests = new Map<string, { signature: string; digest: string }>()

function folderDigest(folder: string): string {
  const paths = [PADDLE_MODEL_LAYOUT.det, PADDLE_MODEL_LAYOUT.rec, PADDLE_MODEL_LAYOUT.cls, PADDLE_MODEL_LAYOUT.dict].map((file) => join(folder, file)).filter((file) => existsSync(file))
  // A folder without its files cannot load: the stage is disabled and no image gets this version.
  if (paths.length === 0) return 'missing'
  const signature = paths.map((file) => {
    const stat = statSync(file)
    return `${file}:${stat.size}:${stat.mtimeMs}`
  }).join('|')
  const known = digests.get(folder)
  if (known?.signature === signature) return known.digest
  const hash = createHash('sha256')
  for (const file of paths) {
    hash.update(readFileSync(file))
    hash.update('\0')
  }
  const digest = hash.digest('hex').slice(0, 16)
  digests.set(folder, { signature, digest })
  return digest
}

function folderFiles(folder: string, setting: string): PaddleModelFiles {
  if (!existsSync(folder)) throw new ModelLoadError('ocr', `the model folder ${folder} (${setting}) does not exist`)
  const missing = missingFiles(folder, REQUIRED)
  if (missing.length > 0) throw new ModelLoadError('ocr', `${join(folder, missing[0]!)} is missing (an OCR model folder needs ${REQUIRED.join(', ')}; ${PADDLE_MODEL_LAYOUT.cls} is optional)`)
  const cls = join(folder, PADDLE_MODEL_LAYOUT.cls)
  return {
    det: join(folder, PADDLE_MODEL_LAYOUT.det),
    rec: join(folder, PADDLE_MODEL_LAYOUT.rec),
    ...(existsSync(cls) ? { cls } : {}),
    dict: join(folder, PADDLE_MODEL_LAYOUT.dict),
  }
}

/** A hub repository holding the folder layout at its root. */
async function hubFolderFiles(name: string, hub: HubOptions): Promise<PaddleModelFiles> {
  if (!isModelId(name)) throw new ModelLoadError('ocr', `models.ocr.model.name "${name}" is neither ${DEFAULT_PADDLE_OCR_MODEL} nor a model id such as owner/name`)
  const folder = localModelFolder(hub.modelsDir, name)
  if (missingFiles(folder, REQUIRED).length > 0) {
    await reachable(name, PADDLE_MODEL_LAYOUT.dict, folder, hub)
    await download(name, REQUIRED, hub)
    // The classifier is optional: fetched only when the repository has one.
    if (!(await probeHub(name, PADDLE_MODEL_LAYOUT.cls, hub))) await download(name, [PADDLE_MODEL_LAYOUT.cls], hub)
  }
  return folderFiles(folder, `downloaded for models.ocr.model.name ${name}`)
}

async function officialFiles(hub: HubOptions): Promise<PaddleModelFiles> {
  const detFolder = localModelFolder(hub.modelsDir, OFFICIAL_PPOCRV5_MOBILE.det)
  const recFolder = localModelFolder(hub.modelsDir, OFFICIAL_PPOCRV5_MOBILE.rec)
  const dict = join(recFolder, PADDLE_MODEL_LAYOUT.dict)
  if (missingFiles(detFolder, ['inference.onnx']).length > 0) {
    await reachable(OFFICIAL_PPOCRV5_MOBILE.det, 'inference.yml', detFolder, hub)
    await download(OFFICIAL_PPOCRV5_MOBILE.det, ['inference.onnx'], hub)
  }
  if (missingFiles(recFolder, ['inference.onnx', 'inference.yml']).length > 0) {
    await reachable(OFFICIAL_PPOCRV5_MOBILE.rec, 'inference.yml', recFolder, hub)
    await download(OFFICIAL_PPOCRV5_MOBILE.rec, ['inference.onnx', 'inference.yml'], hub)
  }
  if (!existsSync(dict)) await writeDictFromInferenceYml(join(recFolder, 'inference.yml'), dict)
  return { det: join(detFolder, 'inference.onnx'), rec: join(recFolder, 'inference.onnx'), dict }
}

/** Writes `PostProcess.character_dict` of a PaddleX inference.yml as dict.txt (to a temporary name first). */
export async function writeDictFromInferenceYml(yml: string, dict: string): Promise<void> {
  let entries: unknown
  try {
    entries = (parseYaml(await readFile(yml, 'utf8')) as { PostProcess?: { character_dict?: unknown } } | null)?.PostProcess?.character_dict
  } catch (error) {
    throw new ModelLoadError('ocr', `cannot read ${yml}: ${firstLine(error)}`, { cause: error })
  }
  if (!Array.isArray(entries) || entries.length === 0 || !entries.every((entry) => typeof entry === 'string' && entry.length > 0 && !entry.includes('\n'))) {
    throw new ModelLoadError('ocr', `${yml} has no PostProcess.character_dict list of characters`)
  }
  const temporary = `${dict}.part`
  await writeFile(temporary, `${(entries as string[]).join('\n')}\n`)
  await rename(temporary, dict)
}

async function reachable(name: string, probeFile: string, folder: string, hub: HubOptions): Promise<void> {
  const unreachable = await probeHub(name, probeFile, hub)
  if (unreachable) {
    throw new ModelLoadError('ocr', `${name} is not in ${folder} and cannot be downloaded (${unreachable}); ` +
      'set models.ocr.model.path to a local model folder for an offline install (docs/models.md)')
  }
}

async function download(name: string, files: readonly string[], hub: HubOptions): Promise<void> {
  try {
    await downloadModelFiles(name, files, hub)
  } catch (error) {
    throw new ModelLoadError('ocr', firstLine(error), { cause: error })
  }
}

/**
 * Reads each file's header (never the weights) and the dictionary, so a truncated download, a
 * file of another kind or a dictionary that does not fit the recogniser is named here, at load,
 * and not as a shape error on the first image. Returns the files to digest.
 */
function checkModelFiles(files: PaddleModelFiles): string[] {
  const det = onnxInfo(files.det)
  expectImageInput(files.det, det, 'the detector')
  const rec = onnxInfo(files.rec)
  expectImageInput(files.rec, rec, 'the recogniser')
  if (files.cls) expectImageInput(files.cls, onnxInfo(files.cls), 'the direction classifier')
  const entries = dictEntries(files.dict)
  const classes = rec.outputs[0]?.shape.at(-1)
  // Class 0 is the CTC blank and the last one the space PaddleOCR appends (use_space_char).
  if (typeof classes === 'number' && classes !== entries + 2) {
    throw new ModelLoadError('ocr', `${files.dict} has ${entries} entries but ${files.rec} scores ${classes} classes (expected ${entries} + 2: blank and space): the dictionary belongs to another recogniser`)
  }
  return [files.det, files.rec, ...(files.cls ? [files.cls] : []), files.dict]
}

function onnxInfo(path: string): OnnxGraphInfo {
  try {
    if (statSync(path).size === 0) throw new OnnxFormatError('the file is empty')
    return readOnnxGraphInfo(path)
  } catch (error) {
    throw new ModelLoadError('ocr', `${path} is not a readable ONNX model: ${firstLine(error)}`, { cause: error })
  }
}

function expectImageInput(path: string, info: OnnxGraphInfo, what: string): void {
  const shape = info.inputs[0]?.shape
  if (!shape || shape.length !== 4 || (typeof shape[1] === 'number' && shape[1] !== 3) || info.outputs.length === 0) {
    throw new ModelLoadError('ocr', `${path} does not look like ${what} of a PP-OCR model (its input is ${shape ? `[${shape.join(', ')}]` : 'missing'}, expected [N, 3, H, W])`)
  }
}

function dictEntries(path: string): number {
  let text: string
  try {
    // Bounded: a real dictionary is under 1 MB; something far larger is not one.
    const size = statSync(path).size
    if (size > 16 * 1024 * 1024) throw new Error(`${size} bytes is too large for a dictionary`)
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path))
  } catch (error) {
    throw new ModelLoadError('ocr', `${path} is not a UTF-8 dictionary: ${firstLine(error)}`, { cause: error })
  }
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  if (lines.length === 0) throw new ModelLoadError('ocr', `${path} is empty`)
  return lines.length
}

