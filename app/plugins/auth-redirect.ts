/**
 * When the server asks for its token (401 from any API call), the app goes to its login page and
 * comes back afterwards, instead of showing a failed page.
 */
export default defineNuxtPlugin(() => {
  const router = useRouter()
  const fetchWithLogin = $fetch.create({
    onResponseError({ response }) {
      const current = router.currentRoute.value
      if (response.status !== 401 || current.path === '/login') return
      void navigateTo({ path: '/login', query: { next: current.fullPath } })
    },
  })
  globalThis.$fetch = fetchWithLogin as typeof globalThis.$fetch
})
