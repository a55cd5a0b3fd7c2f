import { tableCrc32 } from './crc32'

/**
 * A PNG chunk with a correct CRC, built apart from the writer under test, so tests can make inputs
 * the writer refuses to (duplicate keywords, broken zTXt, bad iTXt fields).
 */
export function rawPngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length)
  chunk.writeUInt32BE(data.length, 0)
  chunk.write(type, 4, 'latin1')
  data.copy(chunk, 8)
  chunk.writeUInt32BE(tableCrc32(chunk.subarray(4, 8 + data.length)), 8 + data.length)
  return chunk
}
