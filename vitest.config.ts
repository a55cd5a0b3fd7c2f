import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // .cache holds copies of the tree for other Node lines (npm run test:node-lines); they run there.
    exclude: ['node_modules/**', '.nuxt/**', '.output/**', 'bench/.work/**', '.cache/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests spawn CLI and server processes; two cores cannot run many at once.
    maxWorkers: 2,
    reporters: ['default'],
  },
})
