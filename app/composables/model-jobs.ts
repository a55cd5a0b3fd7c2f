import type { JobsReport } from '#shared/types/api'

const POLL_MS = 2000

/**
 * The import queue, the current import and the model stages, live: server-sent events from
 * `GET /api/jobs/events`, or polling `GET /api/jobs` where the stream fails (a proxy that buffers,
 * an old browser). State is per component; both stop when it unmounts.
 */
export function useModelJobs() {
  const report = ref<JobsReport>()
  const error = ref<string>()
  const live = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  let source: EventSource | undefined
  let active = true

  async function poll(): Promise<void> {
    clearTimeout(timer)
    try {
      report.value = await $fetch<JobsReport>('/api/jobs')
      error.value = undefined
    } catch (failure) {
      error.value = errorMessage(failure)
    }
    if (active) timer = setTimeout(() => void poll(), POLL_MS)
  }

  function listen(): void {
    if (typeof EventSource === 'undefined') return void poll()
    source = new EventSource('/api/jobs/events')
    source.addEventListener('jobs', (event) => {
      report.value = JSON.parse((event as MessageEvent<string>).data) as JobsReport
      error.value = undefined
      live.value = true
    })
    source.addEventListener('error', () => {
      // EventSource would retry forever on its own; polling is the steadier fallback.
      source?.close()
      source = undefined
      live.value = false
      if (active) void poll()
    })
  }

  onMounted(listen)
  onBeforeUnmount(() => {
    active = false
    clearTimeout(timer)
    source?.close()
  })
  return { report, error, live, refresh: poll }
}
