#!/usr/bin/env node
// The `keyward` command (npx, a global install, the container): runs the compiled CLI in
// dist/. Inside the repository, `npm run keyward -- ...` runs the TypeScript source instead.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'keyward: dist/ is missing: run `npm run build` first (inside the repository, `npm run keyward -- <command>` runs from source)\n',
  );
  process.exit(1);
}
await import(cli.href);
