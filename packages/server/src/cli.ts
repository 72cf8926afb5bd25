#!/usr/bin/env node
import { text } from 'node:stream/consumers';
import { runCli } from './cli/program.js';

/** `keyward` entry point: `node --import tsx packages/server/src/cli.ts <command>` (or `npx keyward`). */
process.exitCode = await runCli(process.argv, {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  fetch: globalThis.fetch,
  terminal: process.stdout.isTTY === true,
  readStdin: () => text(process.stdin),
});
