#!/usr/bin/env node
import { text } from 'node:stream/consumers';
import { runCli } from './cli/program.js';
import { unsupportedNodeNotice } from './node-support.js';

// Told to the person at the terminal; scripts that read stderr (and tests) are left alone.
const notice = unsupportedNodeNotice(process.versions.node);
if (notice !== null && process.stderr.isTTY === true) process.stderr.write(`keyward: ${notice}\n`);

/** `keyward` entry point: `bin/keyward.js` runs its build (`dist/cli.js`); `npm run keyward` runs this source. */
process.exitCode = await runCli(process.argv, {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  fetch: globalThis.fetch,
  terminal: process.stdout.isTTY === true,
  readStdin: () => text(process.stdin),
});
