/** sharp's error as one line for an error record, without its "Input buffer" preamble. */
export function describeSharpError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.replace(/^Input (buffer|file) /, '').slice(0, 300)
}
