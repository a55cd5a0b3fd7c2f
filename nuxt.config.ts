import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import vuetify from 'vite-plugin-vuetify'

// Keep this file short: build-time wiring only. Runtime settings come from sagasu.config.yaml.

const packageDir = (name: string) => dirname(createRequire(import.meta.url).resolve(`${name}/package.json`))
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
    // Files loaded by path at run time, which the bundler's trace cannot see: tesseract's WebAssembly
    // builds and the OCR language data (models/ocr/), and the Milvus SDK's protocol files (the
    // trace finds the two it opens, not the ones they import: the built server could not talk to Milvus).
    externals: {
      traceInclude: [
        ...['common', 'feder', 'milvus', 'msg', 'schema', 'google/protobuf/descriptor'].map((file) => join(packageDir('@zilliz/milvus2-sdk-node'), 'dist/proto/proto', `${file}.proto`)),
        ...['', '-lstm', '-simd', '-simd-lstm', '-relaxedsimd', '-relaxedsimd-lstm'].map((variant) => join(packageDir('tesseract.js-core'), `tesseract-core${variant}.wasm`)),
        ...['jpn', 'jpn_vert', 'chi_sim', 'eng'].flatMap((language) => [
          join(packageDir(`@tesseract.js-data/${language}`), 'package.json'),
          ...['4.0.0', '4.0.0_best_int'].map((data) => join(packageDir(`@tesseract.js-data/${language}`), data, `${language}.traineddata.gz`)),
        ]),
      ],
    },
    // Swagger UI's files for the API reference at /docs (server/routes/docs.get.ts).
    publicAssets: [{ dir: packageDir('swagger-ui-dist'), baseURL: '/docs/assets', maxAge: 86400 }],
  },
  typescript: { strict: true },
})
