import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.{ts,tsx}',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
  // The UI's JSX (its component tests render with React in happy-dom).
  esbuild: { jsx: 'automatic' },
});
export default config;
