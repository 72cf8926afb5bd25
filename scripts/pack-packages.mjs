#!/usr/bin/env node
// Builds every published keyward package and packs it into a tarball, as a release does:
//
//   node scripts/pack-packages.mjs --out <dir> [--no-build]
//
// The release smoke test (scripts/release-smoke.sh), `npm run check:packages` and the
// container's build stage (Dockerfile) all pack through this one script.
//
// Each package is packed from a staging copy whose package.json is the published one: the
// `@keyward/source` export condition (repository-only: it points at src/, which is not
// shipped) and the source-only `./testing` entries are removed, with the scripts and
// devDependencies. The repository's package.json files are never modified.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_CONDITION = '@keyward/source';

const { values } = parseArgs({
  options: { out: { type: 'string' }, 'no-build': { type: 'boolean', default: false } },
});
if (!values.out) {
  console.error('usage: node scripts/pack-packages.mjs --out <dir> [--no-build]');
  process.exit(2);
}
const out = path.resolve(values.out);

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

/** The workspaces that are published: every one not marked private (apps/dashboard too, once it exists). */
function publishedWorkspaces() {
  return readJson(path.join(REPO, 'package.json'))
    .workspaces.map((dir) => path.join(REPO, dir))
    .filter((dir) => existsSync(path.join(dir, 'package.json')))
    .filter((dir) => readJson(path.join(dir, 'package.json')).private !== true);
}

/** An exports entry as published: without the source condition; null when nothing else is left (source-only). */
function publishedExport(target) {
  if (typeof target !== 'object' || target === null) return target;
  const kept = Object.entries(target).filter(([condition]) => condition !== SOURCE_CONDITION);
  return kept.length === 0 ? null : Object.fromEntries(kept.map(([k, v]) => [k, publishedExport(v)]));
}

function publishedManifest(manifest) {
  const { scripts, devDependencies, ...published } = manifest;
  if (published.exports) {
    published.exports = Object.fromEntries(
      Object.entries(published.exports)
        .map(([subpath, target]) => [subpath, publishedExport(target)])
        .filter(([, target]) => target !== null),
    );
  }
  return published;
}

/** Copies what npm would ship (package.json `files`, README, LICENSE) into `stage`. */
function stagePackage(dir, stage) {
  const manifest = readJson(path.join(dir, 'package.json'));
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const entries = [
    ...(manifest.files ?? []).filter((entry) => !entry.startsWith('!')),
    'README.md',
    'LICENSE',
  ];
  for (const entry of entries) {
    const from = path.join(dir, entry);
    if (!existsSync(from)) {
      if (entry === 'README.md' || entry === 'LICENSE') throw new Error(`${manifest.name} has no ${entry}`);
      throw new Error(`${manifest.name}: "${entry}" (package.json files) does not exist: was it built?`);
    }
    cpSync(from, path.join(stage, entry), {
      recursive: true,
      filter: (file) => !file.endsWith('.tsbuildinfo'),
    });
  }
  writeFileSync(
    path.join(stage, 'package.json'),
    `${JSON.stringify(publishedManifest(manifest), null, 2)}\n`,
  );
  return manifest.name;
}

if (!values['no-build']) {
  // A clean build: stale outputs of renamed or deleted sources must not ship.
  for (const dir of publishedWorkspaces()) rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
  console.error('== npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
}

mkdirSync(out, { recursive: true });
const stageRoot = path.join(out, '.stage');
const packed = [];
for (const dir of publishedWorkspaces()) {
  const stage = path.join(stageRoot, path.basename(dir));
  const name = stagePackage(dir, stage);
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', out], stage));
  packed.push({
    name,
    tarball: path.join(out, info.filename),
    size: info.size,
    unpackedSize: info.unpackedSize,
    files: info.entryCount,
  });
}
rmSync(stageRoot, { recursive: true, force: true });

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
console.error('\npackage                      tarball    unpacked   files');
for (const p of packed) {
  console.error(
    `${p.name.padEnd(28)} ${kb(p.size).padStart(9)} ${kb(p.unpackedSize).padStart(10)} ${String(p.files).padStart(7)}`,
  );
}
writeFileSync(path.join(out, 'packages.json'), `${JSON.stringify(packed, null, 2)}\n`);
// stdout: the tarball paths, one a line, for scripts.
for (const p of packed) console.log(p.tarball);
