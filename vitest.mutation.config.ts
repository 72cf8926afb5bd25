import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant (`npm run test:mutation`): the pure units whose
 * mutation score it reports (decisions and key material), with their own tests only, so a
 * surviving mutant means those tests miss something. Same source conditions as vitest.config.ts.
 */
export default defineConfig({
  ssr: { resolve: { conditions: ['@keyward/source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['packages/core/src/decisions/**/*.test.ts', 'packages/core/src/keys/**/*.test.ts'],
    pool: 'forks',
    expect: { requireAssertions: true },
  },
});
