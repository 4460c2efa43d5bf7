import { defineConfig } from 'vitest/config'

// vitest 4 replaced vitest.workspace.ts with `test.projects` in the root config.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts'],
  },
})
