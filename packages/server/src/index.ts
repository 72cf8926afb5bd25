/**
 * `@keyward/server`: keyward as a library. `buildApp` gives the Fastify app (admin API,
 * verify API, OpenAPI, health) without listening; `startServer` is the composition root
 * behind `keyward serve` (database, Redis, engine, usage, monitoring, webhooks, listen);
 * `startGateway` runs the reverse proxy of `keyward serve --gateway`.
 *
 * @example
 * const server = await startServer(loadConfig(process.env));
 * // ... later
 * await server.close();
 */
export { type AppOptions, buildApp } from './app.js';
export { type Config, loadConfig } from './config.js';
export { type RunningGateway, type StartGatewayOptions, startGateway } from './gateway/index.js';
export { type IssueRootKeyInput, issueRootKey } from './root-keys.js';
export { type RunningServer, type StartOptions, startServer } from './start.js';
