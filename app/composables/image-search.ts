import type { SearchPage } from '#shared/types/api'
import type { ImageRecord } from '#shared/types/image'

const PAGE_SIZE = 60

/** Pages through /api/search, appending each page; state is per component, never module-level. */
export function useImageSearch() {
  const images = ref<ImageRecord[]>([])
  const total = ref(0)
  const loading = ref(false)
  const error = ref<string>()
  const query = ref('')
  const nextCursor = ref<string | null>(null)

  async function load(reset = false): Promise<void> {
    if (loading.value) return
    loading.value = true
    error.value = undefined
    try {
      const cursor = reset ? undefined : nextCursor.value ?? undefined
      const page = await $fetch<SearchPage>('/api/search', { query: { q: query.value || undefined, limit: PAGE_SIZE, cursor } })
      images.value = reset ? page.results : [...images.value, ...page.results]
      total.value = page.total
      nextCursor.value = page.nextCursor
    } catch (failure) {
      error.value = errorMessage(failure)
    } finally {
      loading.value = false
    }
  }

  const hasMore = computed(() => nextCursor.value !== null)
  return { images, total, loading, error, query, hasMore, load }
}

/** The `{error: {message}}` body of an API error, or the failure's own message. */
export function errorMessage(failure: unknown): string {
  const data = (failure as { data?: { error?: { message?: string } } }).data
  return data?.error?.message ?? (failure instanceof Error ? failure.message : String(failure))
}
