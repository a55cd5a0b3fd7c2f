import { defineEventHandler } from 'h3'
import type { HealthReport } from '../../shared/types/api'
import { useApp } from '../app-context'
import { SAGASU_VERSION } from '../version'

export default defineEventHandler(async (): Promise<HealthReport> => {
  const { config, demo } = await useApp()
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
      // The model stages arrive with their own issue; until then these are reported as absent.
      clip: false,
      tagger: false,
      ocr: false,
    },
  }
})
