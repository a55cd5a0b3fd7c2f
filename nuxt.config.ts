import vuetify from 'vite-plugin-vuetify'

// Keep this file short: build-time wiring only. Runtime settings come from sagasu.config.yaml.
export default defineNuxtConfig({
  compatibilityDate: '2025-07-15',
  ssr: false,
  devtools: { enabled: false },
  telemetry: false,
  css: ['vuetify/styles', '@mdi/font/css/materialdesignicons.css'],
  build: { transpile: ['vuetify'] },
  app: { head: { title: 'Sagasu' } },
  vite: {
    plugins: [vuetify({ autoImport: true })],
  },
  nitro: {
    esbuild: { options: { target: 'es2022' } },
  },
  typescript: { strict: true },
})
