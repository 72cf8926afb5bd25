import { defineConfig } from 'vitest/config';

/**
 * Inside the repository every `@keyward/*` package runs from its TypeScript source: the
 * `@keyward/source` export condition points at `src/`, while published packages resolve
 * `dist/` (see each package.json). Processes the tests spawn get the same condition
 * (`SOURCE_NODE_ARGS` in `@keyward/core/testing`).
 */
const SOURCE_CONDITIONS = ['@keyward/source', 'module', 'node', 'development|production'];

const ALL_TESTS = [
  'packages/*/src/**/*.test.ts',
  'packages/*/test/**/*.test.ts',
  'examples/*/src/**/*.test.ts',
  'apps/*/src/**/*.test.{ts,tsx}',
];

/**
 * System tests: they spawn processes (or drive a browser) (keyward servers and CLIs, throwaway PostgreSQL and
 * Redis servers, crash children) and take most of the run's time. `npm test` runs them
 * with the rest; `npm run test:unit` (the `unit` project) leaves them out.
 */
const SYSTEM_TESTS = [
  'packages/*/test/*.test.ts',
  'packages/*/test/e2e/**/*.test.ts',
  'packages/server/src/cli.process.test.ts',
  'packages/server/src/cli/first-start.process.test.ts',
  'packages/server/src/cli/commands/usage.test.ts',
  'examples/openapi-client/src/generated-client.test.ts',
  'packages/core/src/audit/audit-chain.test.ts',
  'packages/core/src/usage/crash-loss.test.ts',
  'packages/core/src/redis/redis-cache-bus.test.ts',
  'packages/core/src/redis/redis-counter-store.cluster.test.ts',
  'packages/core/src/redis/redis-credit-ledger.restart.test.ts',
  'packages/core/src/resilience/resilient-counter-store.redis.test.ts',
];

const shared = {
  ssr: { resolve: { conditions: SOURCE_CONDITIONS } },
};

export const config = defineConfig({
  ...shared,
  test: {
    testTimeout: 30_000,
    // A test that asserts nothing cannot fail: every test must make at least one assertion.
    expect: { requireAssertions: true },
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      { ...shared, extends: true, test: { name: 'unit', include: ALL_TESTS, exclude: SYSTEM_TESTS } },
      { ...shared, extends: true, test: { name: 'system', include: SYSTEM_TESTS } },
    ],
  },
  // The UI's JSX (its component tests render with React in happy-dom).
  esbuild: { jsx: 'automatic' },
});
export default config;
