import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.nuxt/**', '.output/**', 'bench/.work/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests spawn CLI and server processes; two cores cannot run many at once.
    maxWorkers: 2,
    reporters: ['default'],
  },
})
