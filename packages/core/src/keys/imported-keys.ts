import type { InvalidationMessage } from '../contracts/cache-bus.js';

/**
 * Keys imported from another system keep their foreign format, so verification cannot
 * reject a string only because it fails keyward's format. It still can while no imported
 * key exists, which is what this flag remembers (one store query, then cached).
 */

/** Shortest and longest foreign key verification will look up. */
export const FOREIGN_KEY_MIN_LENGTH = 16;
export const FOREIGN_KEY_MAX_LENGTH = 512;

/** RFC 7235 token68 characters before the trailing `=`: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/". */
const TOKEN68 = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/')
  TOKEN68[c.charCodeAt(0)] = 1;

/** True when `value` could be a foreign API key: RFC 7235 token68 of 16-512 characters. */
export function isPlausibleForeignKey(value: string): boolean {
  if (typeof value !== 'string') return false;
  const length = value.length;
  if (length < FOREIGN_KEY_MIN_LENGTH || length > FOREIGN_KEY_MAX_LENGTH) return false;
  let i = 0;
  while (i < length) {
    const c = value.charCodeAt(i);
    if (c > 127 || TOKEN68[c] === 0) break;
    i++;
  }
  if (i === 0) return false;
  while (i < length) if (value.charCodeAt(i++) !== 61) return false;
  return true;
}

export interface ImportedFlag {
  /** The cached answer; undefined until loaded (or after it was forgotten). */
  known(): boolean | undefined;
  /** Asks the store once; concurrent callers share the query. A failure is not cached. */
  load(): Promise<boolean>;
  /**
   * `all` forgets the answer. Any `key` message forgets a `false` (it may announce an
   * import); a `true` stays, since an extra lookup for a foreign-looking string is harmless.
   */
  onInvalidation(message: InvalidationMessage): void;
}

export function createImportedFlag(hasImported: () => Promise<boolean>): ImportedFlag {
  let value: boolean | undefined;
  let loading: Promise<boolean> | undefined;
  // Bumped when the answer is forgotten, so that a query started before cannot store an old answer.
  let epoch = 0;

  return {
    known: () => value,
    load() {
      if (loading !== undefined) return loading;
      const started = epoch;
      // Through a promise constructor, so that a store throwing synchronously rejects instead.
      const query = new Promise<boolean>((resolve) => resolve(hasImported())).then(
        (exists) => {
          if (started === epoch) {
            value = exists;
            loading = undefined;
          }
          return exists;
        },
        (error: unknown) => {
          if (started === epoch) loading = undefined;
          throw error;
        },
      );
      loading = query;
      return query;
    },
    onInvalidation(message) {
      if (message.type === 'all' || (message.type === 'key' && value !== true)) {
        epoch++;
        value = undefined;
        loading = undefined;
      }
    },
  };
}
