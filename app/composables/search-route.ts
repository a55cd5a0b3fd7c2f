import type { LocationQuery } from 'vue-router'
import type { RememberedSearch } from './search-memory'

function single(value: LocationQuery[string] | undefined): string {
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : ''
}

/** The search a URL holds: `?q=…&text=…&sort=…`, and `id=` for the open image. */
export function searchFromQuery(query: LocationQuery): RememberedSearch & { id?: number } {
  const id = Number(single(query.id))
  return { q: single(query.q), text: single(query.text), sort: single(query.sort), ...(Number.isSafeInteger(id) && id > 0 ? { id } : {}) }
}

/** The URL query for a search: empty parts are left out, so a plain search stays a short link. */
export function queryFromSearch(search: RememberedSearch & { id?: number }): Record<string, string> {
  const query: Record<string, string> = {}
  if (search.q) query.q = search.q
  if (search.text) query.text = search.text
  if (search.sort) query.sort = search.sort
  if (search.id !== undefined) query.id = String(search.id)
  return query
}

/**
 * The URL as the one place the search lives: reading it gives the search and the open image,
 * navigating changes them (a new search pushes a history entry, so back and forward work; moving
 * between images replaces it).
 */
export function useSearchRoute() {
  const route = useRoute()
  const router = useRouter()
  const state = computed(() => searchFromQuery(route.query))
  /** Changes when the search changes, not when only the open image does. */
  const searchKey = computed(() => JSON.stringify([state.value.q, state.value.text, state.value.sort]))

  function search(next: RememberedSearch): Promise<unknown> {
    return router.push({ query: queryFromSearch(next) })
  }

  function open(id: number | undefined, replace = false): Promise<unknown> {
    const { q, text, sort } = state.value
    const query = queryFromSearch({ q, text, sort, ...(id !== undefined ? { id } : {}) })
    return replace ? router.replace({ query }) : router.push({ query })
  }

  return { state, searchKey, search, open }
}
