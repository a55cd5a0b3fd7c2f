/**
 * A prompt-search query the store cannot run (empty, or malformed in SQLite FTS5 query syntax):
 * the user must fix it, so routes answer 400 and the CLI exits 2. The message names the problem
 * without the parameter, which the caller knows.
 *
 * @example
 * throw new FullTextQueryError('syntax error near "<"', 'quote words with punctuation: "<lora:foo>"')
 */
export class FullTextQueryError extends Error {
  override name = 'FullTextQueryError'
  readonly hint?: string

  constructor(message: string, hint?: string) {
    super(message)
    if (hint) this.hint = hint
  }
}
