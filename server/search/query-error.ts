import type { QueryDiagnostic } from '../query/ast'

/** A request the user must fix: HTTP 400 / CLI exit 2, with where it went wrong. */
export class QueryError extends Error {
  override name = 'QueryError'
  readonly position: number
  readonly hint?: string

  constructor(diagnostic: QueryDiagnostic) {
    super(diagnostic.message)
    this.position = diagnostic.position
    if (diagnostic.hint) this.hint = diagnostic.hint
  }
}
