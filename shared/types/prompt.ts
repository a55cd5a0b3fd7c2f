import type { AiParameters } from './image'

/** One image found by a prompt search, with what is needed to show it (`/thumbs/{hash}`). */
export interface PromptHit {
  /** Image id. */
  id: number
  /** bm25 relevance, higher is better; a match in the negative prompt weighs half as much as one in the prompt. */
  score: number
  source: AiParameters['source']
  prompt: string
  negativePrompt?: string
  /**
   * The generation seed: a number when it fits a double exactly (up to 2^53), otherwise its exact
   * decimal digits as a string (ComfyUI seeds go up to 2^64-1).
   */
  seed?: number | string
  steps?: number
  cfg?: number
  sampler?: string
  model?: string
  folder: string
  path: string
  hash: string
  width: number
  height: number
}

/** One page of a prompt search, best match first. */
export interface PromptSearchPage {
  /** How many images match the query in all. */
  total: number
  results: PromptHit[]
  /** The `offset` of the next page; null on the last page. */
  nextOffset: number | null
}

/** A value and how many images have it. */
export interface NameCount {
  name: string
  count: number
}

/** Smallest, largest and mean of a setting over the images that have it; null when none has. */
export type NumberSummary = { min: number; max: number; mean: number } | null

/** What the indexed AI-generation prompts hold. */
export interface PromptStats {
  /** Indexed images, with or without AI parameters. */
  images: number
  /** Images with AI-generation parameters. */
  withAiParameters: number
  /** Images whose prompt is not empty. */
  withPrompt: number
  withNegativePrompt: number
  /** Images per tool that wrote the parameters, most first. */
  sources: NameCount[]
  /** The most used samplers, most first (at most 20). */
  samplers: NameCount[]
  /** The most used models, most first (at most 20). */
  models: NameCount[]
  steps: NumberSummary
  cfg: NumberSummary
}
