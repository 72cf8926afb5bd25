import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * One build, two pages: the provider dashboard (`dashboard/index.html`, served at
 * `/dashboard/`) and the customer portal (`portal/index.html`, served at `/portal/`).
 * Assets get hashed names under `/ui/assets/`, where keyward serves them for a year.
 * JSX goes through esbuild (no React plugin: no fast refresh needed for a build).
 */
export default defineConfig({
  root: here('.'),
  base: '/ui/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
    rollupOptions: {
      input: { dashboard: here('dashboard/index.html'), portal: here('portal/index.html') },
      onwarn(warning, warn) {
        // TanStack Query marks its modules "use client" (for React Server Components): meaningless here.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
