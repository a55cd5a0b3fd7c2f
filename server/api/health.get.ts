import { defineEventHandler } from 'h3'
import type { HealthReport, StageProgress } from '../../shared/types/api'
import { useApp } from '../app-context'
import { SAGASU_VERSION } from '../version'
import { modelHealth } from '../models/model-health'
import { backendHealth } from '../services/backend-health'
import { storeHealth } from '../services/store-health'
import { HEALTH_TIMEOUT_MS } from '../store/servers/backend-pings'

export default defineEventHandler(async (): Promise<HealthReport> => {
  const { config, demo, models, store, library } = await useApp()
  const [ocr, backends] = await Promise.all([ocrProgress(models.progress()), backendHealth(config, HEALTH_TIMEOUT_MS, store)])
  const unsavedFiles = library?.unsavedFiles()
  const ocrReason = !config.models.ocr.enabled ? 'turned off (models.ocr.enabled is false)' : typeof ocr === 'string' ? ocr : ocr?.reason
  return {
    name: 'sagasu',
    version: SAGASU_VERSION,
    profile: config.store.profile,
    capabilities: {
      search: true,
      thumbnails: true,
      aiMetadata: true,
      watch: config.watch.enabled,
      demoLibrary: demo,
      ...storeHealth(config),
      ...(await modelHealth(config)),
      ocr: typeof ocr === 'object' && ocr.state !== 'disabled',
      ...(ocrReason ? { ocrReason } : {}),
    },
    backends,
    ...(unsavedFiles ? { unsavedFiles } : {}),
    ...(library ? { watch: library.watchReport() } : {}),
  }
})

/**
 * The OCR stage's progress, or why it is unknown: progress reads the store, and the health report
 * must answer (200, within the backends' timeout) when the store is down.
 */
async function ocrProgress(progress: Promise<StageProgress[]>): Promise<StageProgress | string | undefined> {
  let timer: NodeJS.Timeout | undefined
  const silence = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`unknown: the store did not answer within ${HEALTH_TIMEOUT_MS / 1000} s`), HEALTH_TIMEOUT_MS)
  })
  const answer = progress.then(
    (stages) => stages.find((stage) => stage.stage === 'ocr'),
    (error: unknown) => `unknown: ${error instanceof Error ? error.message : String(error)}`,
  )
  try {
    return await Promise.race([answer, silence])
  } finally {
    clearTimeout(timer)
  }
}
