import { defineEventHandler } from 'h3'
import type { JobsReport } from '../../shared/types/api'
import { useApp } from '../app-context'
import { jobsReport } from '../services/jobs-report'

/** Import queue and model-stage progress (the jobs page follows GET /api/jobs/events, or polls this). */
export default defineEventHandler(async (): Promise<JobsReport> => jobsReport(await useApp()))
