import type { AiParameters } from '../../shared/types/image'

/** Whether two readings of a file's AI parameters say the same (key order and absent fields aside). */
export function sameAiParameters(a: AiParameters | undefined, b: AiParameters | undefined): boolean {
  return canonical(a) === canonical(b)
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => {
    if (field === null || typeof field !== 'object' || Array.isArray(field)) return field
    return Object.fromEntries(Object.entries(field).filter(([, v]) => v !== undefined && v !== null).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
  }) ?? 'none'
}
