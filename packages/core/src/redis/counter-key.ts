/**
 * The Redis key of a counter: `<prefix>{<owner>}<rest>`, where the owner is the counter's
 * first two `:`-separated segments (`key:<keyId>` or `consumer:<consumerId>`). The braces
 * are a Redis Cluster hash tag: every limit of one key, or of one consumer, lives in one
 * slot, so a verification touches at most two slots. On a single Redis they are inert.
 * The mapping is injective: a non-empty rest starts with `:` and the owner then holds
 * exactly one `:`, so no two counters share a key.
 *
 * @example counterKey('kw:rl:', 'key:key_1:rpm') // 'kw:rl:{key:key_1}:rpm'
 */
export function counterKey(prefix: string, counter: string): string {
  const first = counter.indexOf(':');
  const second = first === -1 ? -1 : counter.indexOf(':', first + 1);
  if (second === -1) return `${prefix}{${counter}}`;
  return `${prefix}{${counter.slice(0, second)}}${counter.slice(second)}`;
}
