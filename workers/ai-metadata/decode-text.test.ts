import { describe, expect, it } from 'vitest'
import { decodeLatin1Text } from './decode-text'

describe('decodeLatin1Text', () => {
  it('keeps Latin-1 as the PNG spec says, and real UTF-8 as UTF-8', () => {
    expect(decodeLatin1Text(Buffer.from('café terrace', 'latin1'))).toBe('café terrace')
    expect(decodeLatin1Text(Buffer.from('1girl, #テスト', 'utf8'))).toBe('1girl, #テスト')
    expect(decodeLatin1Text(Buffer.from('plain ascii'))).toBe('plain ascii')
    // Not valid UTF-8 (a lone continuation byte): Latin-1.
    expect(decodeLatin1Text(Buffer.from([0x61, 0xa9, 0x62]))).toBe('a©b')
  })
})
