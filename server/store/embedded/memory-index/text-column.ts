import type { Bitset } from './bitset'

/** Separates the packed texts; a term containing it is searched text by text instead. */
const SEPARATOR = '\u0000'

interface Packed {
  text: string
  ids: Int32Array
  /** Where each text starts in `text`. */
  starts: Int32Array
}

/**
 * One text per image (OCR text, prompt, negative prompt), ASCII-lower-cased. A substring search
 * packs them into one string once (again after changes), so that it is a few native `indexOf`
 * calls rather than one `includes` per image.
 */
export class TextColumn {
  private readonly texts = new Map<number, string>()
  private packed: Packed | undefined

  get size(): number {
    return this.texts.size
  }

  set(id: number, text: string): void {
    this.texts.set(id, text)
    this.packed = undefined
  }

  delete(id: number): void {
    if (this.texts.delete(id)) this.packed = undefined
  }

  ids(): IterableIterator<number> {
    return this.texts.keys()
  }

  /** Adds to `into` every image whose text contains `needle` (already lower-cased). */
  addMatches(needle: string, into: Bitset): void {
    const packed = needle.includes(SEPARATOR) ? undefined : this.pack()
    if (!packed) {
      for (const [id, text] of this.texts) if (text.includes(needle)) into.add(id)
      return
    }
    const { text, ids, starts } = packed
    for (let from = 0; ;) {
      const at = text.indexOf(needle, from)
      if (at < 0) return
      const k = lastAtOrBefore(starts, at)
      into.add(ids[k]!)
      from = k + 1 < starts.length ? starts[k + 1]! : text.length
    }
  }

  private pack(): Packed | undefined {
    if (this.packed) return this.packed
    const ids = new Int32Array(this.texts.size)
    const starts = new Int32Array(this.texts.size)
    const parts: string[] = []
    let offset = 0
    let k = 0
    for (const [id, text] of this.texts) {
      ids[k] = id
      starts[k] = offset
      parts.push(text)
      offset += text.length + SEPARATOR.length
      k++
    }
    try {
      this.packed = { text: parts.join(SEPARATOR), ids, starts }
    } catch {
      // Beyond the longest string V8 makes (about 2^29 characters): search text by text.
      return undefined
    }
    return this.packed
  }
}

/** The index of the last start at or before `position` (starts ascending, starts[0] = 0). */
function lastAtOrBefore(starts: Int32Array, position: number): number {
  let low = 0
  let high = starts.length - 1
  while (low < high) {
    const middle = (low + high + 1) >>> 1
    if (starts[middle]! <= position) low = middle
    else high = middle - 1
  }
  return low
}
