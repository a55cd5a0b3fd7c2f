import { readFileSync, writeFileSync } from 'node:fs'

/**
 * VmHWM, the peak of this process's own memory. Not resourceUsage().maxRSS: on Linux that keeps
 * the parent's peak across fork + exec, so a child of a big parent reports the parent's figure.
 */
export function peakRssMiB(): number {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]
    if (kib) return Number(kib) / 1024
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024
}

/** Linux: writing 5 to clear_refs resets VmHWM, so each stage's peak is its own. */
export function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
  } catch {
    // not Linux, or not allowed: the peak then covers the process so far
  }
}

