import { closeSync, constants, openSync, writeSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { expect } from 'vitest'

/**
 * Whether anything opens a file while an action runs, told by a FIFO: opening a FIFO to read blocks
 * until a writer comes, and a non-blocking open to write succeeds only while a reader holds it. So
 * a decoder that opens the FIFO stays stuck until `watchFifo` notices it (and then lets it go with
 * one byte and EOF): it can neither open the file unseen nor finish before it is seen.
 */
export interface FifoWatch {
  /** Stops watching; true when something had the FIFO open for reading at any point. */
  stop: () => boolean
}

export function makeFifo(path: string): string {
  execFileSync('mkfifo', [path])
  return path
}

export function watchFifo(path: string): FifoWatch {
  let opened = false
  const check = () => {
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)
      opened = true
      try {
        writeSync(fd, 'x')
      } finally {
        closeSync(fd)
      }
    } catch (error) {
      // ENXIO: no reader has it open, which is what a test hopes for.
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error
    }
  }
  const timer = setInterval(check, 5)
  return {
    stop: () => {
      clearInterval(timer)
      check()
      return opened
    },
  }
}

/** Runs `action`, and fails the test if anything opened the FIFO meanwhile. */
export async function neverOpens<T>(fifo: string, action: () => Promise<T>): Promise<T> {
  const watch = watchFifo(fifo)
  try {
    return await action()
  } finally {
    expect(watch.stop(), 'the file the SVG names was opened').toBe(false)
  }
}

/** An SVG that names `target` both as an `<image href="file://…">` and through XInclude. */
export function svgNaming(target: string): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xi="http://www.w3.org/2001/XInclude" width="32" height="32">
  <image href="file://${target}" width="32" height="32"/>
  <text x="1" y="20"><xi:include href="file://${target}" parse="text"/></text>
</svg>
`)
}
