/**
 * `@keyward/server/testing`: the fixtures other packages' tests (and the bench) use to run
 * keyward for real: the one test app (`createTestApp`, wired as `keyward serve` wires it),
 * whole `keyward serve` clusters, the gateway's test keys, and the HTTP helpers that talk
 * to them. Resolvable only inside the repository (the `@keyward/source` condition): never
 * part of a published package.
 */
export { cleanEnv, exitWithin } from '../cli/test-processes.js';
export { forwardRequestHeaders } from '../gateway/forward-headers.js';
export { createKeyFixture, type KeyFixture } from '../gateway/testing/test-keys.js';
export * from './browser.js';
export * from './cluster.js';
export * from './keyward-http.js';
export * from './revocation-probe.js';
export * from './seed.js';
export * from './test-app.js';
export * from './test-client.js';
export * from './test-clock.js';
