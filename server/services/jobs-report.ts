import type { JobsReport } from '../../shared/types/api'
import type { SagasuApp } from '../app-context'

/** The import queue, the current or last full import and the model stages (GET /api/jobs and its event stream). */
export async function jobsReport(app: SagasuApp): Promise<JobsReport> {
  return {
    files: await app.store.countJobs(),
    stages: await app.models.progress(),
    import: app.library?.importProgress() ?? null,
    watch: app.library?.watchReport() ?? null,
  }
}
