#!/usr/bin/env node
import { runCli } from './cli/program.js';
import { unsupportedNodeNotice } from './node-support.js';

const notice = unsupportedNodeNotice(process.versions.node);
if (notice !== null) process.stderr.write(`keyward: ${notice}\n`);

/** `keyward` entry point: `bin/keyward.js` runs its build (`dist/cli.js`); `npm run keyward` runs this source. */
process.exitCode = await runCli(process.argv, {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  fetch: globalThis.fetch,
});
