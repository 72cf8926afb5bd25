/**
 * Canonical JSON (the JSON Canonicalization Scheme of RFC 8785 for the values keyward
 * stores): object members sorted by key (UTF-16 code units, JavaScript's default string
 * order), no whitespace, numbers and strings as `JSON.stringify` writes them. Two values
 * that are equal as JSON give the same text, whatever order their keys were built in.
 *
 * Members whose value is `undefined` are left out (as `JSON.stringify` does); a
 * non-finite number or a value JSON cannot hold (function, symbol, bigint) throws.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
      }
      const json = (value as { toJSON?: () => unknown }).toJSON;
      if (typeof json === 'function') return canonicalJson(json.call(value));
      const members = Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}
