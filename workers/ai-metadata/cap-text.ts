/** Upper bound for `AiParameters.raw`; ComfyUI workflows can run to megabytes. */
export const RAW_TEXT_CAP_BYTES = 64 * 1024

/**
 * Truncates `text` to at most `maxBytes` of UTF-8 without cutting a character
 * in half, so the stored copy never ends in a replacement character.
 */
export function capUtf8(text: string, maxBytes: number = RAW_TEXT_CAP_BYTES): string {
  // Every UTF-16 code unit encodes to at most 3 UTF-8 bytes, so short strings
  // can skip the encode.
  if (text.length * 3 <= maxBytes) return text
  const bytes = Buffer.from(text, 'utf8')
  if (bytes.length <= maxBytes) return text
  let cut = maxBytes
  // A continuation byte at the cut means the character started before it.
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--
  return bytes.toString('utf8', 0, cut)
}
