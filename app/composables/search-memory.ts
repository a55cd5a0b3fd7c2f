/** The parts of a search worth remembering (an image query is not: it lives only in the page). */
export interface RememberedSearch {
  q: string
  text: string
  sort: string
}

const HISTORY_KEY = 'sagasu.searchHistory'
const SAVED_KEY = 'sagasu.savedSearches'
const HISTORY_SIZE = 30

/** Stored searches, tolerating anything another version (or a person) left under the key. */
export function readSearches(raw: string | null): RememberedSearch[] {
  if (!raw) return []
  try {
    const value: unknown = JSON.parse(raw)
    if (!Array.isArray(value)) return []
    return value.flatMap((item: unknown) => {
      if (typeof item !== 'object' || item === null) return []
      const { q, text, sort } = item as Record<string, unknown>
      return typeof q === 'string' ? [{ q, text: typeof text === 'string' ? text : '', sort: typeof sort === 'string' ? sort : '' }] : []
    })
  } catch {
    return []
  }
}

export function sameSearch(a: RememberedSearch, b: RememberedSearch): boolean {
  return a.q === b.q && a.text === b.text && a.sort === b.sort
}

/** `search` first, without its earlier copy, at most `size` long. */
export function remember(list: readonly RememberedSearch[], search: RememberedSearch, size = HISTORY_SIZE): RememberedSearch[] {
  return [search, ...list.filter((item) => !sameSearch(item, search))].slice(0, size)
}

/** Recent searches and saved ones, in this browser's localStorage. */
export function useSearchMemory() {
  const history = ref<RememberedSearch[]>([])
  const saved = ref<RememberedSearch[]>([])

  onMounted(() => {
    history.value = readSearches(localStorage.getItem(HISTORY_KEY))
    saved.value = readSearches(localStorage.getItem(SAVED_KEY))
  })

  function persist(): void {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(history.value))
    localStorage.setItem(SAVED_KEY, JSON.stringify(saved.value))
  }

  function record(search: RememberedSearch): void {
    if (!search.q && !search.text) return
    history.value = remember(history.value, search)
    persist()
  }

  function isSaved(search: RememberedSearch): boolean {
    return saved.value.some((item) => sameSearch(item, search))
  }

  function toggleSaved(search: RememberedSearch): void {
    saved.value = isSaved(search) ? saved.value.filter((item) => !sameSearch(item, search)) : remember(saved.value, search, 200)
    persist()
  }

  function clearHistory(): void {
    history.value = []
    persist()
  }

  return { history, saved, record, isSaved, toggleSaved, clearHistory }
}
