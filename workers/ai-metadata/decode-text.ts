// PNG tEXt and zTXt are Latin-1 by the PNG spec (11.3.4.3), but Stability Matrix, TensorArt and
// other tools write UTF-8 bytes there anyway, which a Latin-1 decoder turns into mojibake
// ("#テスト" → "#ãã¹ã"). Text that is valid UTF-8 and holds at least one multi-byte
// sequence is almost never meant as Latin-1 (that would need runs like "Ã©" by intent), so such
// text is decoded as UTF-8; everything else keeps the Latin-1 the spec prescribes.

const utf8 = new TextDecoder('utf-8', { fatal: true })

function hasHighByte(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b >= 0x80) return true
  return false
}

/** Decodes the text of a tEXt/zTXt chunk: Latin-1, unless the bytes are UTF-8 beyond ASCII. */
export function decodeLatin1Text(bytes: Buffer): string {
  if (!hasHighByte(bytes)) return bytes.toString('latin1')
  try {
    return utf8.decode(bytes)
  } catch {
    return bytes.toString('latin1')
  }
}
