import { defineEventHandler } from 'h3'
import type { HealthReport } from '../../shared/types/api'
import { useApp } from '../app-context'
import { SAGASU_VERSION } from '../version'
import { modelHealth } from '../models/model-health'
import { storeHealth } from '../services/store-health'

export default defineEventHandler(async (): Promise<HealthReport> => {
  const { config, demo, models } = await useApp()
  const ocr = (await models.progress()).find((stage) => stage.stage === 'ocr')
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
      ocr: ocr !== undefined && ocr.state !== 'disabled',
      ...(!config.models.ocr.enabled ? { ocrReason: 'turned off (models.ocr.enabled is false)' } : ocr?.reason ? { ocrReason: ocr.reason } : {}),
    },
  }
})
