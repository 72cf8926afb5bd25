// Better Auth's api-key plugin as the bench's peer (npm run bench -- --only peers). Plain
// JavaScript in this folder so that its imports resolve from bench/peers/node_modules, which
// only the peers group installs; keyward's type check never needs it.
import { apiKey } from '@better-auth/api-key';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import Database from 'better-sqlite3';

/**
 * A Better Auth instance on a SQLite file in WAL mode with the api-key plugin, one user and
 * one key holding `sessions: ['read']`. Its per-key rate limit is off (its default, 10 per
 * day, would refuse the bench), as keyward's key has none. `synchronous` is SQLite's
 * (keyward runs FULL; NORMAL is Better Auth's faster case: it writes on every verify).
 */
export async function createBetterAuthPeer({ file, synchronous = 'FULL' }) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  const auth = betterAuth({
    database: db,
    secret: 'bench-only-secret-bench-only-secret-0123',
    emailAndPassword: { enabled: true },
    plugins: [apiKey({ rateLimit: { enabled: false } })],
    telemetry: { enabled: false },
    logger: { disabled: true },
  });
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  const { user } = await auth.api.signUpEmail({
    body: { email: 'bench@example.com', password: 'bench-password-123', name: 'bench' },
  });
  const created = await auth.api.createApiKey({
    body: { userId: user.id, name: 'bench', permissions: { sessions: ['read'] } },
  });
  const permissions = { sessions: ['read'] };
  return {
    key: created.key,
    /** One verification with the permission check; resolves whether the key was valid. */
    async verifyKey(key) {
      const result = await auth.api.verifyApiKey({ body: { key, permissions } });
      return result.valid === true;
    },
    close: () => db.close(),
  };
}
