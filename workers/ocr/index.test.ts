import { describe, expect, it } from 'vitest'
import { configSchema, type SagasuConfig } from '../../config/schema'
import { ocrStageFromConfig } from './index'

/** A parsed config with `models.ocr.engine` set (spread in, so this holds before and after the key is in the schema). */
function withEngine(input: Record<string, unknown>, engine: 'paddle' | 'tesseract'): SagasuConfig {
  const config = configSchema.parse(input)
  return { ...config, models: { ...config.models, ocr: { ...config.models.ocr, engine } as SagasuConfig['models']['ocr'] } }
}

describe('ocrStageFromConfig', () => {
  it('is null when OCR is turned off', () => {
    expect(ocrStageFromConfig(configSchema.parse({ models: { ocr: { enabled: false } } }))).toBeNull()
  })

  it('builds the tesseract stage from the configured languages and data, without starting tesseract', () => {
    const stage = ocrStageFromConfig(withEngine({ models: { ocr: { languages: ['eng', 'jpn', 'eng'], data: '4.0.0_best_int' } } }, 'tesseract'))
    expect(stage?.name).toBe('ocr')
    expect(stage?.version()).toMatch(/^tesseract\.js@7\.0\.0\/4\.0\.0_best_int\/eng\+jpn\/r\d+$/)
    expect(stage?.loadedWorkers).toBe(0)
  })

  it('builds the paddle stage when models.ocr.engine is paddle, without loading the models', () => {
    const stage = ocrStageFromConfig(withEngine({}, 'paddle'))
    expect(stage?.version()).toMatch(/^paddle:[\w.-]+\/r\d+$/)
    expect(stage?.loadedWorkers).toBe(0)
  })
})
