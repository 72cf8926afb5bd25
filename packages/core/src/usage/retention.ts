import { KeywardError } from '../contracts/errors.js';
import { DEFAULT_USAGE_RETENTION, type UsageRetention } from './usage-store.js';

/** Defaults filled in and checked once: every period a positive whole number of ms. Frozen. */
export function resolveRetention(retention: Partial<UsageRetention> = {}): Readonly<UsageRetention> {
  const resolved = { ...DEFAULT_USAGE_RETENTION, ...retention };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new KeywardError('VALIDATION', `retention.${name} must be a positive number of ms`, {
        field: `retention.${name}`,
      });
    }
  }
  return Object.freeze(resolved);
}
