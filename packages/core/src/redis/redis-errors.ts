import { errorCode, NETWORK_ERROR_CODES, unavailableTranslator } from '../resilience/unavailable.js';

/** What ioredis says when it gives up on a command or a connection (these errors carry no code). */
const IOREDIS_MESSAGES = [
  "Stream isn't writeable",
  'Connection is closed',
  'Command timed out',
  'Reached the max retries per request limit',
  'CLUSTERDOWN',
  'LOADING',
  'TRYAGAIN',
];

/** ioredis errors of a Redis (or Redis Cluster) that is down, restarting, failing over or unreachable. */
export const isRedisUnavailable = (error: Error): boolean => {
  const code = errorCode(error);
  if (code !== null && NETWORK_ERROR_CODES.has(code)) return true;
  return IOREDIS_MESSAGES.some((text) => error.message.includes(text));
};

/** A Redis error that means "not now" as `KeywardError('UNAVAILABLE')`; anything else unchanged. */
export const translateRedisError = unavailableTranslator('Redis', isRedisUnavailable);
