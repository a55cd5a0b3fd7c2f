import { describe, expect, it } from 'vitest'
import { configSchema } from '../../config/schema'
import { ocrStageFromConfig } from './index'

describe('ocrStageFromConfig', () => {
  it('is null when OCR is turned off', () => {
    expect(ocrStageFromConfig(configSchema.parse({ models: { ocr: { enabled: false } } }))).toBeNull()
  })

  it('builds the stage from the configured languages and data, without starting tesseract', () => {
    const stage = ocrStageFromConfig(configSchema.parse({ models: { ocr: { languages: ['eng', 'jpn', 'eng'], data: '4.0.0_best_int' } } }))
    expect(stage?.name).toBe('ocr')
    expect(stage?.version()).toMatch(/^tesseract\.js@7\.0\.0\/4\.0\.0_best_int\/eng\+jpn\/r\d+$/)
    expect(stage?.loadedWorkers).toBe(0)
  })
})
