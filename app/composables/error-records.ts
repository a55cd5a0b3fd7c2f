import type { ErrorRecord } from '#shared/types/api'

/** The errors table: `GET /api/errors`, and a retry that clears one record and re-queues its file. */
export function useErrorRecords() {
  const errors = ref<ErrorRecord[]>([])
  const error = ref<string>()
  const retrying = ref<string>()

  async function refresh(): Promise<void> {
    try {
      errors.value = (await $fetch<{ total: number; errors: ErrorRecord[] }>('/api/errors')).errors
      error.value = undefined
    } catch (failure) {
      error.value = errorMessage(failure)
    }
  }

  async function retry(record: ErrorRecord): Promise<boolean> {
    retrying.value = `${record.folder}/${record.path}`
    try {
      await $fetch('/api/errors/retry', { method: 'POST', body: { folder: record.folder, path: record.path } })
      // The retry clears every record of the file.
      errors.value = errors.value.filter((other) => other.folder !== record.folder || other.path !== record.path)
      error.value = undefined
      return true
    } catch (failure) {
      error.value = errorMessage(failure)
      return false
    } finally {
      retrying.value = undefined
    }
  }

  onMounted(() => void refresh())
  return { errors, error, retrying, refresh, retry }
}
