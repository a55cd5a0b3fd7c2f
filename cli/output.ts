/** Exactly one JSON document on stdout; everything else goes to stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`)
}

/** A one-line progress bar, drawn only when stderr is a terminal. */
export function createProgressBar(): { update(label: string, done: number, total: number): void; end(): void } {
  const tty = process.stderr.isTTY
  let last = 0
  let drawn = false
  return {
    update(label, done, total) {
      if (!tty) return
      const now = Date.now()
      if (now - last < 100 && done < total) return
      last = now
      const width = 30
      const filled = total ? Math.round((done / total) * width) : 0
      const bar = total ? `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}` : `${done}`
      process.stderr.write(`\r${label.padEnd(6)} ${bar}\u001B[K`)
      drawn = true
    },
    end() {
      if (drawn) process.stderr.write('\n')
    },
  }
}
