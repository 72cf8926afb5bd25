#!/usr/bin/env node
// `npm run check:packages`: lints every published tarball with publint (strict: warnings
// fail) and "Are the Types Wrong?" (attw), the way a user's tools will see them.
//
//   node scripts/check-packages.mjs [--tarballs <dir>]
//
// Without --tarballs it builds and packs into a temporary folder first (pack-packages.mjs).
//
// attw runs with its `esm-only` profile: the packages are ES modules only. That profile
// leaves out two columns that do not apply: `node10` (TypeScript's legacy resolution,
// which cannot read `exports`) and `node16 (from CJS)`, which attw's bundled TypeScript
// (5.6) reports as "dynamic import only" although Node.js 22.12+ `require()`s ES modules
// (the release smoke test runs a CommonJS app on them) and TypeScript 5.8+ with
// `module: nodenext` type-checks such a `require` (the smoke test checks a .cts consumer).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'node_modules', '.bin');

const { values } = parseArgs({ options: { tarballs: { type: 'string' } } });
let dir = values.tarballs ? path.resolve(values.tarballs) : null;
const temporary = dir === null;
if (dir === null) {
  dir = mkdtempSync(path.join(tmpdir(), 'keyward-check-'));
  execFileSync(process.execPath, [path.join(REPO, 'scripts', 'pack-packages.mjs'), '--out', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const tarballs = readdirSync(dir)
  .filter((file) => file.endsWith('.tgz'))
  .map((file) => path.join(dir, file));
if (tarballs.length === 0) {
  console.error(`no tarballs in ${dir}`);
  process.exit(1);
}

const failures = [];
const check = (tool, args) => {
  const result = spawnSync(path.join(BIN, tool), args, { encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`.trim();
  return { ok: result.status === 0, output };
};
for (const tarball of tarballs) {
  const name = path.basename(tarball);
  const publint = check('publint', ['run', tarball, '--strict']);
  const attw = check('attw', [
    tarball,
    '--profile',
    'esm-only',
    '--no-emoji',
    '--no-color',
    '--format',
    'table-flipped',
  ]);
  console.log(`\n== ${name}\n-- publint\n${publint.output}\n-- attw (esm-only profile)\n${attw.output}`);
  if (!publint.ok) failures.push(`${name}: publint`);
  if (!attw.ok) failures.push(`${name}: attw`);
}
if (temporary) rmSync(dir, { recursive: true, force: true });

if (failures.length > 0) {
  console.error(`\npackage checks failed: ${failures.join(', ')}`);
  process.exit(1);
}
console.log(`\npublint and attw: all ${tarballs.length} packages good`);
