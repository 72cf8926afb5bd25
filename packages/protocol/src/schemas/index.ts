/**
 * Wire schemas of keyward's HTTP API (TypeBox, i.e. JSON Schema). The server validates
 * and documents its routes with them; the SDK derives its types from them.
 *
 * @example
 * import { CreateKeyBody, type IssuedKey } from '@keyward/protocol';
 */
export * from './alerts.js';
export * from './apis.js';
export * from './audit.js';
export * from './child-keys.js';
export * from './common.js';
export * from './consumers.js';
export * from './health.js';
export * from './key-import.js';
export * from './key-rotation.js';
export * from './keys.js';
export * from './leaks.js';
export * from './lifetime.js';
export * from './limits.js';
export * from './portal.js';
export * from './problem.js';
export * from './publishable.js';
export * from './roles.js';
export * from './root-keys.js';
export * from './sessions.js';
export * from './usage.js';
export * from './verify.js';
export * from './webhooks.js';
