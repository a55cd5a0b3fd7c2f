import type { PixivJobStatus } from '#shared/types/api'

const POLL_MS = 1000

/**
 * The server's pixiv fetch: its status, polled every second while a run goes on, and a way to
 * start one. State is per component; polling stops when the component unmounts.
 */
export function usePixivJob() {
  const status = ref<PixivJobStatus>()
  const error = ref<string>()
  const starting = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  let active = true

  async function refresh(): Promise<void> {
    clearTimeout(timer)
    try {
      status.value = await $fetch<PixivJobStatus>('/api/pixiv/status')
    } catch (failure) {
      error.value = errorMessage(failure)
    }
    if (active && status.value?.running) timer = setTimeout(() => void refresh(), POLL_MS)
  }

  async function start(options: { limit?: number; retryFailed?: boolean }): Promise<void> {
    starting.value = true
    error.value = undefined
    try {
      status.value = await $fetch<PixivJobStatus>('/api/pixiv/fetch', { method: 'POST', body: options })
    } catch (failure) {
      error.value = errorMessage(failure)
    } finally {
      starting.value = false
    }
    await refresh()
  }

  onMounted(() => void refresh())
  onBeforeUnmount(() => {
    active = false
    clearTimeout(timer)
  })
  return { status, error, starting, start, refresh }
}
