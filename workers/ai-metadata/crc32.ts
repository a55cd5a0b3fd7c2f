import * as zlib from 'node:zlib'

type Crc32Fn = (data: Uint8Array, initial?: number) => number

// zlib.crc32 only exists from Node 20.15 / 22.2; the engines field allows
// older 20.x builds in principle, so fall back to a table implementation.
// Reflect.get avoids a static reference that would fail on older type defs.
const nativeCrc32 = Reflect.get(zlib, 'crc32') as Crc32Fn | undefined

let table: Uint32Array | undefined

function buildTable(): Uint32Array {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
}

/** CRC-32 (ISO-HDLC, as PNG uses) computed without zlib. Exported for tests. */
export function tableCrc32(data: Uint8Array, initial = 0): number {
  table ??= buildTable()
  let crc = (initial ^ 0xffffffff) >>> 0
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/** CRC-32 of `data`, continuing from `initial` (a previous result) if given. */
export const crc32: Crc32Fn =
  typeof nativeCrc32 === 'function' ? (data, initial = 0) => nativeCrc32(data, initial) >>> 0 : tableCrc32
