import { createVuetify } from 'vuetify'
import { messages } from '~/locales'

export default defineNuxtPlugin((nuxtApp) => {
  // The server's Content-Security-Policy allows the theme's <style> by this nonce (server/plugins/content-security-policy.ts).
  const cspNonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content || undefined
  nuxtApp.vueApp.use(createVuetify({
    theme: { defaultTheme: 'system', ...(cspNonce ? { cspNonce } : {}) },
    locale: { locale: 'en', fallback: 'en', messages },
  }))
})
