import type { SearchPage, SearchResult } from '#shared/types/api'

/** The first page comes quickly; later pages are bigger so scrolling through thousands needs few requests. */
const FIRST_PAGE = 100
const NEXT_PAGE = 300

/** What one search asks for. `image` ranks by a picture (sent as multipart, never in the URL). */
export interface SearchParams {
  q: string
  text: string
  sort: string
  image?: File
}

/** An API error: the message, and for a bad query its 0-based position and a hint. */
export interface SearchFailure {
  message: string
  position?: number
  hint?: string
}

/**
 * Pages through /api/search with its cursor, appending each page. Results sit in a shallowRef
 * (thousands of records need no deep reactivity); a newer search drops the answers of older ones.
 * State is per component, never module-level.
 */
export function useImageSearch() {
  const results = shallowRef<SearchResult[]>([])
  const total = ref(0)
  const loading = ref(false)
  const error = ref<SearchFailure>()
  const nextCursor = ref<string | null>(null)
  /** Counts searches, so an answer to a superseded one is ignored. */
  let generation = 0
  let current: SearchParams = { q: '', text: '', sort: '' }

  async function fetchPage(params: SearchParams, cursor: string | undefined, limit: number): Promise<SearchPage> {
    if (params.image) {
      const form = new FormData()
      for (const [name, value] of Object.entries({ q: params.q, sort: params.sort, text: params.text, cursor: cursor ?? '' })) if (value) form.append(name, value)
      form.append('limit', String(limit))
      form.append('image', params.image)
      return $fetch<SearchPage>('/api/search', { method: 'POST', body: form })
    }
    return $fetch<SearchPage>('/api/search', {
      query: { q: params.q || undefined, sort: params.sort || undefined, text: params.text || undefined, limit, cursor },
    })
  }

  async function load(reset: boolean): Promise<void> {
    const mine = reset ? ++generation : generation
    const params = current
    loading.value = true
    if (reset) error.value = undefined
    try {
      const page = await fetchPage(params, reset ? undefined : nextCursor.value ?? undefined, reset ? FIRST_PAGE : NEXT_PAGE)
      if (mine !== generation) return
      results.value = reset ? page.results : results.value.concat(page.results)
      total.value = page.total
      nextCursor.value = page.nextCursor
    } catch (failure) {
      if (mine !== generation) return
      error.value = searchFailure(failure)
      if (reset) {
        results.value = []
        total.value = 0
        nextCursor.value = null
      }
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  /** Starts a new search, replacing the results. */
  function run(params: SearchParams): Promise<void> {
    current = params
    return load(true)
  }

  /** Appends the next page, unless one is loading or there is none. */
  function more(): Promise<void> {
    if (loading.value || nextCursor.value === null) return Promise.resolve()
    return load(false)
  }

  const hasMore = computed(() => nextCursor.value !== null)
  return { results, total, loading, error, hasMore, run, more }
}

/** The `{error: {message, position, hint}}` body of an API error, or the failure's own message. */
export function searchFailure(failure: unknown): SearchFailure {
  const data = (failure as { data?: { error?: SearchFailure } }).data
  if (data?.error?.message) return data.error
  return { message: failure instanceof Error ? failure.message : String(failure) }
}

/** The message of an API error, for pages that show only that. */
export function errorMessage(failure: unknown): string {
  return searchFailure(failure).message
}
