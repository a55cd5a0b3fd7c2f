import { defineEventHandler } from 'h3'
import type { JobsReport } from '../../shared/types/api'
import { useApp } from '../app-context'

/** Import queue and model-stage progress (the jobs page polls it). */
export default defineEventHandler(async (): Promise<JobsReport> => {
  const app = await useApp()
  return { files: await app.store.countJobs(), stages: await app.models.progress() }
})
