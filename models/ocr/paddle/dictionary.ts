import { readFileSync } from 'node:fs'

/**
 * The recogniser's characters, one a line as PaddleOCR writes them (ppocr_keys_v1.txt,
 * ppocrv5_dict.txt). PaddleOCR appends a space when the model was trained with `use_space_char`;
 * whether it was is read off the model: its output has one class per character, plus the CTC
 * blank, plus the space when there is one.
 */
export function readDictionary(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '')
  const lines = text.split(/\r?\n/)
  // A trailing newline is not a character; a line holding only a space is (some dictionaries list it).
  if (lines.at(-1) === '') lines.pop()
  if (lines.length === 0) throw new Error(`${file} lists no characters`)
  return lines
}

/** The dictionary fitted to the model's class count, or an error naming both counts. */
export function fitDictionary(characters: readonly string[], classes: number, file: string): string[] {
  if (classes === characters.length + 2) return [...characters, ' ']
  if (classes === characters.length + 1) return [...characters]
  throw new Error(`${file} lists ${characters.length} characters but the recogniser has ${classes} classes (expected ${characters.length + 1} or ${characters.length + 2}); is it the model's own dictionary?`)
}
