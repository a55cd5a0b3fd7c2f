import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fitDictionary, readDictionary } from './dictionary'

const folder = mkdtempSync(join(tmpdir(), 'sagasu-dict-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

describe('the recogniser dictionary', () => {
  it('reads one entry a line (an entry may be several code points) and appends the space when the model has a class for it', () => {
    const file = join(folder, 'dict.txt')
    writeFileSync(file, '\u3000\nあ\n🇯🇵\na\n')
    const characters = readDictionary(file)
    expect(characters).toEqual(['\u3000', 'あ', '🇯🇵', 'a'])
    expect(fitDictionary(characters, 6, file)).toEqual(['\u3000', 'あ', '🇯🇵', 'a', ' '])
    expect(fitDictionary(characters, 5, file)).toEqual(characters)
  })

  it('names both counts when the dictionary is not the model’s', () => {
    expect(() => fitDictionary(['a', 'b'], 18385, 'x/dict.txt')).toThrow(/x\/dict\.txt lists 2 characters but the recogniser has 18385 classes/)
  })

  it('refuses an empty file', () => {
    const file = join(folder, 'empty.txt')
    writeFileSync(file, '')
    expect(() => readDictionary(file)).toThrow(/lists no characters/)
  })
})
