import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['carrel-source'] },
  ssr: { resolve: { conditions: ['carrel-source'], externalConditions: ['carrel-source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    globalSetup: ['packages/tasks/test/support/postgres-global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
