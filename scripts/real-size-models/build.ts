// Real-size stand-ins for benchmarks: the WD14 v3 taggers' and CLIP ViT-B/32's real architectures
// with random weights, in the folder layouts Sagasu loads, fp32 + int8 (dynamic quantization):
//   npm run models:real-size [-- NAME ...]      (default: all four)
// Writes <repo>/.cache/real-size-models/<name>/ once; a later run finds them there and does nothing.
// Bench infrastructure only, not part of `npm test` or CI: the real weights cannot be downloaded
// here, and throughput depends on the architecture, not on the weights. What each model is, its
// size and its multiply-adds per image: docs/models.md, "Real-size stand-ins for benchmarks", and
// each folder's stand-in.json. The Python side (a venv in .cache/real-size-venv with the pinned
// requirements.txt; torch's PyPI wheel is the CUDA build, ~3 GB) only exports; nothing in the
// product uses Python.
//   wd-vit-tagger-v3       timm vit_base_patch16_224 at 448 px, 10861 sigmoid outputs
//   wd-swinv2-tagger-v3    timm swinv2_base_window8_256 at 448 px (window 8)
//   wd-convnext-tagger-v3  timm convnext_base at 448 px
//   clip-vit-base-patch32  transformers CLIPConfig() defaults (ViT-B/32 + 49408-token text tower);
//                          the tokenizer files are the fixture tiny-clip's (the real BPE files
//                          cannot be downloaded here): right shapes, not CLIP's tokens
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { findPython } from '../test-deps/python'
import {
  CLIP_FIXTURE, EXPORTER, REQUIREMENTS, STAND_INS, STAND_IN_ROOT, STAND_IN_VENV, missingStandInFiles, standInFolder,
} from './stand-ins'
import { verifyStandIn } from './verify'

const log = (line: string) => process.stdout.write(`models:real-size: ${line}\n`)

const asked = process.argv.slice(2)
const unknown = asked.find((name) => !STAND_INS.some((standIn) => standIn.name === name))
if (unknown) {
  process.stderr.write(`models:real-size: unknown model ${unknown}; the stand-ins are ${STAND_INS.map((s) => s.name).join(', ')}\n`)
  process.exit(2)
}
const wanted = STAND_INS.filter((standIn) => asked.length === 0 || asked.includes(standIn.name))
const toBuild = wanted.filter((standIn) => missingStandInFiles(standIn).length > 0)
for (const standIn of wanted) if (!toBuild.includes(standIn)) log(`${standInFolder(standIn)} is built`)

if (toBuild.length > 0) {
  const python = join(STAND_IN_VENV, 'bin', 'python')
  if (!existsSync(python)) {
    log(`creating the bench venv ${STAND_IN_VENV}`)
    mkdirSync(STAND_IN_VENV, { recursive: true })
    execFileSync(findPython('npm run models:real-size'), ['-m', 'venv', STAND_IN_VENV], { stdio: 'inherit' })
  }
  log(`installing ${REQUIREMENTS} (torch's Linux wheel brings ~3 GB of CUDA libraries the first time)`)
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS], { stdio: 'inherit' })
  for (const standIn of toBuild) {
    log(`exporting ${standIn.name} (${standIn.describe}); minutes on 2 cores`)
    execFileSync(python, [EXPORTER, '--out', STAND_IN_ROOT, '--clip-fixture', CLIP_FIXTURE, standIn.name], { stdio: 'inherit' })
    const missing = missingStandInFiles(standIn)
    if (missing.length > 0) throw new Error(`models:real-size: ${standInFolder(standIn)} lacks ${missing.join(', ')} after the export`)
    try {
      await verifyStandIn(standIn)
    } catch (error) {
      // A folder that fails the check must not count as built on the next run.
      rmSync(standInFolder(standIn), { recursive: true, force: true })
      throw error
    }
    log(`${standInFolder(standIn)} loads in onnxruntime-node with the expected inputs and output shapes`)
  }
}
