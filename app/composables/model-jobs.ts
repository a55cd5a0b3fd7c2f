import type { JobsReport } from '#shared/types/api'

const POLL_MS = 2000

/** The import queue and model-stage progress (`GET /api/jobs`), polled while the page is open. */
export function useModelJobs() {
  const report = ref<JobsReport>()
  const error = ref<string>()
  let timer: ReturnType<typeof setTimeout> | undefined
  let active = true

  async function refresh(): Promise<void> {
    clearTimeout(timer)
    try {
      report.value = await $fetch<JobsReport>('/api/jobs')
      error.value = undefined
    } catch (failure) {
      error.value = failure instanceof Error ? failure.message : String(failure)
    }
    if (active) timer = setTimeout(() => void refresh(), POLL_MS)
  }

  onMounted(() => void refresh())
  onBeforeUnmount(() => {
    active = false
    clearTimeout(timer)
  })
  return { report, error }
}
