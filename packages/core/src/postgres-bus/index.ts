export { MAX_NOTIFY_BYTES } from './notify-payloads.js';
export type { PostgresCacheBus, PostgresCacheBusOptions } from './postgres-cache-bus.js';
export { createPostgresCacheBus } from './postgres-cache-bus.js';
