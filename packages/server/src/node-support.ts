/**
 * keyward supports the maintained Node.js LTS lines, 22 (from 22.12, where `require()` of
 * ES modules works unflagged) and 24. Node.js 20 reached its end of life in April 2026:
 * keyward still starts on it but says once that it is unsupported.
 */
const MINIMUM = { major: 22, minor: 12 } as const;

/**
 * The one line to print when `version` (like `process.versions.node`) is not supported,
 * or null when it is.
 *
 * @example const notice = unsupportedNodeNotice(process.versions.node); // '20.20.2' → 'Node.js 20 is past ...'
 */
export function unsupportedNodeNotice(version: string): string | null {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > MINIMUM.major || (major === MINIMUM.major && minor >= MINIMUM.minor)) return null;
  const advice = 'keyward supports Node.js 22 (22.12 or newer) and 24';
  if (major === 20) return `Node.js 20 is past its end of life (April 2026) and unsupported: ${advice}`;
  return `Node.js ${version} is unsupported: ${advice}`;
}
