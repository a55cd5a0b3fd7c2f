/** Bad command-line input: exit code 2 with the message. */
export class UsageError extends Error {
  override name = 'UsageError'
}
