import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PAGE_SEGMENTATION } from './tesseract-engine'

const models = readFileSync(join(import.meta.dirname, '../../docs/models.md'), 'utf8')
// Line breaks in the Markdown source are spaces to a reader.
const tesseractSection = models.slice(models.indexOf('### The tesseract engine')).replace(/\s+/g, ' ')

describe('docs/models.md on the tesseract engine', () => {
  it('names the page segmentation modes the workers really run', () => {
    expect(models).toContain('### The tesseract engine')
    expect(tesseractSection).toContain(`page segmentation mode ${PAGE_SEGMENTATION.horizontal} (a single uniform block of text)`)
    expect(tesseractSection).toContain(`page segmentation mode ${PAGE_SEGMENTATION.vertical} (a single block of vertical text)`)
    expect(models).not.toMatch(/automatic page segmentation/i)
  })
})
