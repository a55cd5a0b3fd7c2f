import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** `<repo>/.cache/real-size-models`: one folder per stand-in (git-ignored, like all of .cache). */
export const STAND_IN_ROOT = join(ROOT, '.cache', 'real-size-models')
/** The bench-only Python venv that exports them (torch, timm, transformers, onnx, onnxruntime). */
export const STAND_IN_VENV = join(ROOT, '.cache', 'real-size-venv')
export const CLIP_FIXTURE = join(ROOT, 'test', 'fixtures', 'models', 'tiny-clip')
export const EXPORTER = join(ROOT, 'scripts', 'real-size-models', 'export.py')
export const REQUIREMENTS = join(ROOT, 'scripts', 'real-size-models', 'requirements.txt')

export type StandInKind = 'tagger' | 'clip'

export interface StandIn {
  name: string
  kind: StandInKind
  /** What it is, for the log. */
  describe: string
  /** Every file the folder must hold; `stand-in.json` is written last, so its presence means complete. */
  files: readonly string[]
}

export const TAG_COUNT = 10861

const TAGGER_FILES = ['model.onnx', 'model_quantized.onnx', 'selected_tags.csv', 'stand-in.json'] as const
const CLIP_FILES = [
  'config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json',
  'onnx/vision_model.onnx', 'onnx/text_model.onnx', 'onnx/vision_model_quantized.onnx', 'onnx/text_model_quantized.onnx',
  'stand-in.json',
] as const

export const STAND_INS: readonly StandIn[] = [
  { name: 'wd-vit-tagger-v3', kind: 'tagger', describe: 'timm vit_base_patch16_224 at 448 px', files: TAGGER_FILES },
  { name: 'wd-swinv2-tagger-v3', kind: 'tagger', describe: 'timm swinv2_base_window8_256 at 448 px', files: TAGGER_FILES },
  { name: 'wd-convnext-tagger-v3', kind: 'tagger', describe: 'timm convnext_base at 448 px', files: TAGGER_FILES },
  { name: 'clip-vit-base-patch32', kind: 'clip', describe: 'CLIP ViT-B/32, both towers, Xenova layout', files: CLIP_FILES },
]

export function standInFolder(standIn: StandIn, root = STAND_IN_ROOT): string {
  return join(root, standIn.name)
}

/** The files the stand-in's folder lacks (all of them when it was never built). */
export function missingStandInFiles(standIn: StandIn, root = STAND_IN_ROOT): string[] {
  const folder = standInFolder(standIn, root)
  return standIn.files.filter((file) => !existsSync(join(folder, file)))
}
