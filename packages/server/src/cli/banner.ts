import type { Config, LogFormat } from '../config.js';

/** What the banner shows of a running server (a subset of `RunningServer`). */
export interface BannerFacts {
  url: string;
  docsUrl: string | null;
  dashboardUrl: string | null;
  gatewayUrl: string | null;
  /** Without credentials, as `RunningServer.database`. */
  database: string;
  needsInit: boolean;
}

/**
 * How the user ran keyward, so that the commands we print can be pasted as they are:
 * `npm run keyward --` inside the repository (`npm start`, `npm run keyward`), `npx keyward`
 * under npx, `keyward` when installed.
 */
export function keywardCommand(env: NodeJS.ProcessEnv): string {
  const script = env.npm_lifecycle_event;
  if (script === 'start' || script === 'keyward') return 'npm run keyward --';
  if (env.npm_command === 'exec') return 'npx keyward';
  return 'keyward';
}

/**
 * The variables `init` needs to reach the same database as this server, as a shell prefix:
 * a data directory that was given, as an absolute path (so that it works from any folder).
 * Never KEYWARD_DATABASE_URL: its value may hold a password (the banner names it instead).
 */
const databaseEnv = (env: NodeJS.ProcessEnv, config: Pick<Config, 'database' | 'dataDir'>): string => {
  if (config.database.kind === 'postgres' || !env.KEYWARD_DATA_DIR?.trim()) return '';
  const dir = config.dataDir;
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(dir)
    ? `KEYWARD_DATA_DIR=${dir} `
    : `KEYWARD_DATA_DIR='${dir.replaceAll("'", "'\\''")}' `;
};

/** The exact command that creates the first workspace and root key for this server's database. */
export function initCommand(env: NodeJS.ProcessEnv, config: Pick<Config, 'database' | 'dataDir'>): string {
  return `${databaseEnv(env, config)}${keywardCommand(env)} init`;
}

/**
 * The lines `keyward serve` prints on a terminal once it listens: where the API, its docs,
 * the dashboard and the gateway are, which database it uses and, on an empty database, the
 * next command. Never a secret: URLs are the listening addresses, the database is shown
 * without credentials.
 */
export function bannerLines(
  facts: BannerFacts,
  next: { init: string; postgres: boolean },
  version: string,
): string[] {
  const rows: Array<[string, string | null]> = [
    ['API', facts.url],
    ['API docs', facts.docsUrl],
    ['Dashboard', facts.dashboardUrl],
    ['Gateway', facts.gatewayUrl],
    ['Database', facts.database],
  ];
  const lines = ['', `keyward ${version} is running`];
  for (const [label, value] of rows) if (value !== null) lines.push(`  ${label.padEnd(10)} ${value}`);
  lines.push('');
  if (facts.needsInit) {
    lines.push('No workspace yet. In another terminal, create one and its root key (shown once):');
    lines.push(`  ${next.init}`);
    if (next.postgres) lines.push('  (with the same KEYWARD_DATABASE_URL as this server)');
    lines.push('');
  }
  lines.push('Stop with Ctrl+C.');
  lines.push('');
  return lines;
}

/** `auto` means pretty on a terminal and JSON lines otherwise (pipes, files, log shippers). */
export const resolveLogFormat = (format: LogFormat, terminal: boolean): 'json' | 'pretty' =>
  format === 'auto' ? (terminal ? 'pretty' : 'json') : format;
