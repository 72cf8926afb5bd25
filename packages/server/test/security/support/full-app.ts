import { readFileSync } from 'node:fs';
import { createAppLogger } from '../../../src/logging.js';
import { createTestApp, type TestApp, type TestAppOptions } from '../../../src/testing/test-app.js';

/** Every face of the server wired as `startServer` wires it, on a SQLite file, with every log line captured. */
export interface FullApp extends TestApp {
  /** The SQLite file. */
  path: string;
  /** Every JSON log line written, at trace level. */
  lines: string[];
  /** The raw bytes of the database file and its WAL. */
  files(): Buffer;
}

export type FullAppOptions = Pick<TestAppOptions, 'pepper' | 'app'>;

/**
 * `createTestApp` on a SQLite file with a trace-level logger whose every line is kept: the
 * whole route table (admin and verify API, alerts, policies, webhooks, usage, `/metrics`,
 * the dashboard and the portal) that the security suite is generated from.
 */
export async function createFullApp(options: FullAppOptions = {}): Promise<FullApp> {
  const lines: string[] = [];
  const logger = createAppLogger({
    level: 'trace',
    destination: { write: (line: string) => void lines.push(line) },
  });
  const t = await createTestApp({ ...options, storage: 'file', logger });
  const path = t.path;
  if (path === null) throw new Error('createFullApp: the test app has no database file');
  return Object.assign(t, {
    path,
    lines,
    files() {
      t.database.pragma('wal_checkpoint(PASSIVE)');
      return Buffer.concat(
        [path, `${path}-wal`].flatMap((file) => {
          try {
            return [readFileSync(file)];
          } catch {
            return [];
          }
        }),
      );
    },
  });
}
