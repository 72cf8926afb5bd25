#!/usr/bin/env node
import { runCli } from './cli/program.js';

/** `keyward` entry point: `node --import tsx packages/server/src/cli.ts <command>` (or `npx keyward`). */
process.exitCode = await runCli(process.argv, {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  fetch: globalThis.fetch,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
});
