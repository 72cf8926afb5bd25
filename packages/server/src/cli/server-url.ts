import { isIP } from 'node:net';
import { CliError, oneLine } from './cli-error.js';

export const DEFAULT_URL = 'http://127.0.0.1:8787';

/** Where the CLI looks for the server, and which setting said so (named when it cannot be reached). */
export interface ServerAddress {
  /** Origin without a trailing slash, e.g. `http://127.0.0.1:8787`. */
  url: string;
  source: '--url' | 'KEYWARD_URL' | 'KEYWARD_HOST/KEYWARD_PORT' | 'the default';
}

/** Wildcard listening addresses reach the server through loopback. */
const LOOPBACK: Readonly<Record<string, string>> = { '0.0.0.0': '127.0.0.1', '::': '::1', '[::]': '::1' };

const checked = (raw: string, name: string): string => {
  const parsed = URL.canParse(raw) ? new URL(raw) : null;
  if (
    !parsed ||
    (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
    parsed.username ||
    parsed.password ||
    parsed.search
  ) {
    throw new CliError(
      `${name} must be an http:// or https:// URL without credentials (got "${oneLine(raw)}")`,
    );
  }
  return parsed.href.replace(/\/+$/, '');
};

/**
 * The server the HTTP commands talk to, found the way the server itself was configured:
 * `--url`, else KEYWARD_URL, else KEYWARD_HOST and KEYWARD_PORT (a wildcard host such as
 * 0.0.0.0 means loopback), else http://127.0.0.1:8787.
 *
 * @example serverAddress(undefined, { KEYWARD_PORT: '9000' }) // { url: 'http://127.0.0.1:9000', source: 'KEYWARD_HOST/KEYWARD_PORT' }
 */
export function serverAddress(flag: string | undefined, env: NodeJS.ProcessEnv): ServerAddress {
  if (flag !== undefined) return { url: checked(flag, '--url'), source: '--url' };
  const fromEnv = env.KEYWARD_URL?.trim();
  if (fromEnv) return { url: checked(fromEnv, 'KEYWARD_URL'), source: 'KEYWARD_URL' };
  const host = env.KEYWARD_HOST?.trim() || undefined;
  const port = env.KEYWARD_PORT?.trim() || undefined;
  if (host === undefined && port === undefined) return { url: DEFAULT_URL, source: 'the default' };
  if (port !== undefined && !(/^[1-9]\d{0,4}$/.test(port) && Number(port) <= 65535)) {
    throw new CliError(
      `KEYWARD_PORT is "${oneLine(port)}": the CLI needs the port keyward listens on (or --url / KEYWARD_URL)`,
    );
  }
  const name = LOOPBACK[host ?? ''] ?? host ?? '127.0.0.1';
  const shown = isIP(name) === 6 ? `[${name}]` : name;
  return {
    url: checked(`http://${shown}:${port ?? '8787'}`, 'KEYWARD_HOST'),
    source: 'KEYWARD_HOST/KEYWARD_PORT',
  };
}

/** The one line for a server that does not answer, naming every way to point the CLI elsewhere. */
export function cannotReach(address: ServerAddress, reason: string): string {
  const from = address.source === 'the default' ? 'the default address' : `from ${address.source}`;
  return (
    `cannot reach ${address.url} (${from}): ${reason}; ` +
    'point the CLI at keyward with --url or KEYWARD_URL, or the KEYWARD_HOST/KEYWARD_PORT it listens on'
  );
}
