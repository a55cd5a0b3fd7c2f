import type { HealthReport } from '#shared/types/api'

/** What the server can do (GET /api/health): the page hides similarity controls when CLIP is off. */
export function useCapabilities() {
  const { data } = useFetch<HealthReport>('/api/health', { server: false, key: 'health' })
  const clip = computed(() => data.value?.capabilities.clip === true)
  const demo = computed(() => data.value?.capabilities.demoLibrary === true)
  return { health: data, clip, demo }
}
