import type { AiParameters, ImageRecord } from '../../shared/types/image'

/** A UTF-8 lead byte (U+00C2–U+00F4) followed by a continuation byte (U+0080–U+00BF): UTF-8 read as Latin-1. */
const MOJIBAKE = /[\u00C2-\u00F4][\u0080-\u00BF]/

/**
 * Whether an image stored before the AI-metadata readers of issue 15 may hold wrong or missing
 * parameters, so that its metadata is read again (FileState.aiReread). The rule of the embedded
 * store's migration 12 (server/store/embedded/migrations.ts), which the servers profile applies
 * with this function (mongo-upgrades.ts); docs/architecture.md gives the reasons.
 */
export function mayNeedAiReread(image: Pick<ImageRecord, 'format' | 'type'> & { ai?: AiParameters }): boolean {
  const { ai } = image
  if (!ai) return ['png', 'webp', 'jpeg'].includes(image.format) && image.type !== 'twitter'
  if (ai.source === 'comfyui') return true
  if (isJsonDocument(ai.prompt)) return true
  if ([ai.prompt, ai.negativePrompt ?? '', ai.raw].some((text) => MOJIBAKE.test(text))) return true
  if (ai.source === 'a1111') {
    if (ai.steps === undefined && ai.seed === undefined && ai.sampler === undefined) return true
    if (ai.cfg === undefined && /cfg scale:/i.test(ai.raw)) return true
  }
  return false
}

function isJsonDocument(text: string): boolean {
  if (!/^[ \t\r\n]*[[{]/.test(text)) return false
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
