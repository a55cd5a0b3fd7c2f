import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AiParameters } from '../../shared/types/image'

/**
 * The expectation format of ../shared/realworld/aimeta/expected.json (its README, "expect"), and
 * the comparison it defines. Shared by the realworld test and `npm run bench:aimeta`, and used for
 * any other folder written in the same format (test/fixtures/aimeta-extra).
 */
export interface AiMetaExpect {
  generator?: string[]
  prompt?: string
  prompt_set?: string[]
  optional_text?: string[]
  negative?: string
  negative_set?: string[]
  negative_any?: string[]
  seed?: number | string
  steps?: number
  cfg?: number
  sampler?: string
  sampler_any?: string[]
  scheduler?: string
  model?: string
  model_any?: string[]
  size?: string
  size_any?: string[]
  alternatives?: (AiMetaExpect & { sampler_id?: string })[]
  ambiguous?: string
  none?: boolean
  error?: boolean
  warning?: boolean
}

export interface AiMetaCase {
  class: string
  container: string
  expect: AiMetaExpect
}

export interface AiMetaSet {
  folder: string
  files: Record<string, AiMetaCase>
}

/** Reads an expectation set: `expected.json` next to a `files/` folder. */
export function loadAiMetaSet(dir: string): AiMetaSet {
  const parsed = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { files: Record<string, AiMetaCase> }
  return { folder: join(dir, 'files'), files: parsed.files }
}

/** Line endings normalised, ends trimmed, runs of whitespace as one space. */
function normaliseText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim().replace(/\s+/g, ' ')
}

function normaliseModel(model: string): string {
  return model.trim().toLowerCase().replace(/\.(safetensors|ckpt|pt|pth|gguf)$/, '')
}

/** Every text of `set` appears in `text`; with them and `optional` taken out, only separators remain. */
function matchesSet(text: string, set: string[], optional: string[] = []): boolean {
  let rest = normaliseText(text)
  for (const part of set) {
    const wanted = normaliseText(part)
    const at = rest.indexOf(wanted)
    if (at < 0) return false
    rest = rest.slice(0, at) + ' ' + rest.slice(at + wanted.length)
  }
  for (const part of optional) rest = rest.replace(normaliseText(part), ' ')
  return /^[\s,]*$/.test(rest)
}

function seedOf(ai: AiParameters): string | undefined {
  if (ai.seed !== undefined) return String(ai.seed)
  return ai.extra?.seed
}

/**
 * The keys of `expect` that `ai` gets wrong, each with what was read; an empty list when the file
 * is read fully right.
 */
export function wrongFields(ai: AiParameters | undefined, expect: AiMetaExpect): string[] {
  if (expect.alternatives?.length) {
    const { alternatives, ambiguous: _ambiguous, ...main } = expect
    const first = wrongFields(ai, main)
    if (first.length === 0) return first
    for (const alternative of alternatives) {
      const { sampler_id: _id, ...values } = alternative
      if (wrongFields(ai, { ...main, ...values }).length === 0) return []
    }
    return first
  }
  if (expect.none || expect.error) return ai ? [`none: read ${ai.source} "${ai.prompt.slice(0, 60)}"`] : []
  if (!ai) return ['nothing read']
  const wrong: string[] = []
  const check = (key: string, ok: boolean, got: unknown): void => {
    if (!ok) wrong.push(`${key}: read ${JSON.stringify(got)}`)
  }
  if (expect.generator) check('generator', expect.generator.includes(ai.source), ai.source)
  if (expect.prompt !== undefined) check('prompt', normaliseText(ai.prompt) === normaliseText(expect.prompt), ai.prompt.slice(0, 120))
  if (expect.prompt_set) check('prompt_set', matchesSet(ai.prompt, expect.prompt_set, expect.optional_text), ai.prompt.slice(0, 200))
  const negative = ai.negativePrompt ?? ''
  if (expect.negative !== undefined) check('negative', normaliseText(negative) === normaliseText(expect.negative), negative.slice(0, 120))
  if (expect.negative_set) check('negative_set', matchesSet(negative, expect.negative_set), negative.slice(0, 200))
  if (expect.negative_any) check('negative_any', expect.negative_any.some((n) => normaliseText(n) === normaliseText(negative)), negative.slice(0, 120))
  if (expect.seed !== undefined) check('seed', seedOf(ai) === String(expect.seed), seedOf(ai))
  if (expect.steps !== undefined) check('steps', ai.steps === expect.steps, ai.steps)
  if (expect.cfg !== undefined) check('cfg', ai.cfg !== undefined && Math.abs(ai.cfg - expect.cfg) <= 1e-6, ai.cfg)
  const scheduler = ai.extra?.scheduler
  if (expect.sampler !== undefined || expect.sampler_any) {
    const spellings = [...(expect.sampler === undefined ? [] : [expect.sampler]), ...(expect.sampler_any ?? [])]
    const combined = expect.scheduler === undefined ? [] : spellings.flatMap((s) => [`${s}_${expect.scheduler}`, `${s} ${expect.scheduler}`])
    const samplerOk = ai.sampler !== undefined && (spellings.includes(ai.sampler) || combined.includes(ai.sampler))
    check('sampler', samplerOk, ai.sampler)
    if (expect.scheduler !== undefined && !(ai.sampler !== undefined && combined.includes(ai.sampler))) {
      check('scheduler', scheduler === expect.scheduler, scheduler)
    }
  } else if (expect.scheduler !== undefined) {
    check('scheduler', scheduler === expect.scheduler, scheduler)
  }
  if (expect.model !== undefined || expect.model_any) {
    const models = [...(expect.model === undefined ? [] : [expect.model]), ...(expect.model_any ?? [])].map(normaliseModel)
    check('model', ai.model !== undefined && models.includes(normaliseModel(ai.model)), ai.model)
  }
  if (expect.size !== undefined || expect.size_any) {
    const sizes = [...(expect.size === undefined ? [] : [expect.size]), ...(expect.size_any ?? [])]
    check('size', ai.extra?.size !== undefined && sizes.includes(ai.extra.size), ai.extra?.size)
  }
  return wrong
}

/**
 * The expectation sets the project adds to the realworld folder: every folder under
 * test/fixtures/aimeta-extra that holds an expected.json (real files from public repositories,
 * small or cut down as their README says, with their provenance and licence).
 */
export function extraAiMetaSets(root: string): string[] {
  const base = join(root, 'test', 'fixtures', 'aimeta-extra')
  if (!existsSync(base)) return []
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(base, entry.name, 'expected.json')))
    .map((entry) => join(base, entry.name))
    .sort()
}
