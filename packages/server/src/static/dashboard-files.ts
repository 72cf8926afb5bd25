import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** The command that builds the UI, named wherever it is missing. */
export const BUILD_COMMAND = 'npm run build -w @keyward/dashboard';

/** Where the UI's hashed scripts and styles are served (Vite's `base`). */
export const ASSETS_PREFIX = '/ui/assets/';

/**
 * The pages' Content-Security-Policy: scripts, styles and calls from this origin only;
 * images also over https (a portal logo); no framing, no plugins, no base or form tricks.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** `apps/dashboard/dist` of the installed `@keyward/dashboard` package; null when it is not installed. */
export function locateDashboardBuild(): string | null {
  try {
    const manifest = createRequire(import.meta.url).resolve('@keyward/dashboard/package.json');
    return join(dirname(manifest), 'dist');
  } catch {
    return null;
  }
}

const readPage = (dir: string | null, app: 'dashboard' | 'portal'): string | null => {
  if (dir === null) return null;
  const file = join(dir, app, 'index.html');
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
};

function sendPage(reply: FastifyReply, html: string | null, app: string): FastifyReply {
  reply
    .header('content-security-policy', PAGE_CSP)
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache');
  if (html === null) {
    return reply
      .code(503)
      .type('text/plain; charset=utf-8')
      .send(
        `The keyward ${app} is not built. Run \`${BUILD_COMMAND}\` (\`npm ci\` runs it through the root prepare script), then restart keyward.\n`,
      );
  }
  return reply.type('text/html; charset=utf-8').send(html);
}

/**
 * Serves the built UI from the same origin as the API: the provider dashboard at
 * `/dashboard/`, the customer portal at `/portal/` (each a single-page app: every path
 * below answers its `index.html`), their assets at `/ui/assets/` (hashed names, cached
 * for a year), and `/` redirects to the dashboard. Without a build, the pages answer 503
 * naming the command that builds them.
 */
export const dashboardFiles =
  (staticDir: string | null): FastifyPluginAsync =>
  async (app) => {
    const dir = staticDir ?? locateDashboardBuild();
    const pages = { dashboard: readPage(dir, 'dashboard'), portal: readPage(dir, 'portal') };
    if (dir !== null && existsSync(join(dir, 'assets'))) {
      await app.register(fastifyStatic, {
        root: join(dir, 'assets'),
        prefix: ASSETS_PREFIX,
        immutable: true,
        maxAge: '365d',
        index: false,
        list: false,
        wildcard: true,
      });
    }
    const hide = { schema: { hide: true } };
    app.get('/', hide, (_request, reply) => reply.redirect('/dashboard/'));
    for (const name of ['dashboard', 'portal'] as const) {
      const page = (request: FastifyRequest, reply: FastifyReply) => {
        // An unknown API path is a 404, not the page.
        if (request.url.startsWith(`/${name}/api/`)) return reply.callNotFound();
        return sendPage(reply, pages[name], name);
      };
      app.get(`/${name}`, hide, (_request, reply) => reply.redirect(`/${name}/`));
      app.get(`/${name}/`, hide, page);
      app.get(`/${name}/*`, hide, page);
    }
  };
