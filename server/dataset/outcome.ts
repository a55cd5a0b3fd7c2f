/**
 * What a dataset service answers: a value, or the client's mistake with the HTTP status it maps
 * to (the CLI maps both to exit 2). Faults of the server itself are thrown, not returned.
 *
 * @example
 * const outcome = await batchSetInfo(store, id)
 * if (!outcome.ok) return errorResponse(event, outcome.status, outcome.message)
 */
export type Outcome<T> = { ok: true; value: T } | { ok: false; status: 400 | 404; message: string }

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value })
export const rejected = <T>(status: 400 | 404, message: string): Outcome<T> => ({ ok: false, status, message })
