import { createRequire } from 'node:module'
import { dirname } from 'node:path'
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
    // Swagger UI's files for the API reference at /docs (server/routes/docs.get.ts).
    publicAssets: [{ dir: dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json')), baseURL: '/docs/assets', maxAge: 86400 }],
  },
  typescript: { strict: true },
})
