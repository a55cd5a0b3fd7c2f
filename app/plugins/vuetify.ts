import { createVuetify } from 'vuetify'
import { messages } from '~/locales'

export default defineNuxtPlugin((nuxtApp) => {
  nuxtApp.vueApp.use(createVuetify({
    theme: { defaultTheme: 'system' },
    locale: { locale: 'en', fallback: 'en', messages },
  }))
})
