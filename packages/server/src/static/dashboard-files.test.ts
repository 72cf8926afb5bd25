import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { BUILD_COMMAND, locateDashboardBuild } from './dashboard-files.js';

const built = mkdtempSync(join(tmpdir(), 'keyward-ui-'));
const empty = mkdtempSync(join(tmpdir(), 'keyward-ui-empty-'));
let withBuild: TestApp;
let withoutBuild: TestApp;

beforeAll(async () => {
  for (const app of ['dashboard', 'portal']) {
    mkdirSync(join(built, app));
    writeFileSync(join(built, app, 'index.html'), `<!doctype html><title>${app}</title>`);
  }
  mkdirSync(join(built, 'assets'));
  writeFileSync(join(built, 'assets', 'main-abc123.js'), 'console.log(1)');
  withBuild = await createTestApp({ sessions: { staticDir: built }, app: { docs: true } });
  withoutBuild = await createTestApp({ sessions: { staticDir: empty } });
});
afterAll(async () => {
  await withBuild.close();
  await withoutBuild.close();
  rmSync(built, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

describe('the UI files', () => {
  it('serve each app as a single-page app with a strict CSP, and its hashed assets for a year', async () => {
    for (const [url, title] of [
      ['/dashboard/', 'dashboard'],
      ['/dashboard/keys/key_123', 'dashboard'],
      ['/portal/', 'portal'],
    ]) {
      const res = await withBuild.app.inject({ url: url as string });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain(`<title>${title}</title>`);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
    const asset = await withBuild.app.inject({ url: '/ui/assets/main-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await withBuild.app.inject({ url: '/' })).headers.location).toBe('/dashboard/');
    expect((await withBuild.app.inject({ url: '/dashboard' })).headers.location).toBe('/dashboard/');
  });

  it('answer an unknown portal or dashboard API path with a problem, not the page', async () => {
    const res = await withBuild.app.inject({ url: '/portal/api/nothing' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('say how to build the UI when it is not built', async () => {
    const res = await withoutBuild.app.inject({ url: '/dashboard/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain(BUILD_COMMAND);
  });

  it('are found through the @keyward/dashboard package by default', () => {
    expect(locateDashboardBuild()).toMatch(/apps[/\\]dashboard[/\\]dist$/);
  });

  it('appear with the session and portal routes in the OpenAPI document', async () => {
    const doc = (await withBuild.app.inject({ url: '/openapi.json' })).json();
    for (const path of [
      '/dashboard/api/session',
      '/v1/portal/sessions',
      '/v1/apis/{id}/portal-policy',
      '/v1/portal/branding',
      '/portal/api/exchange',
      '/portal/api/session',
      '/portal/api/keys',
      '/portal/api/keys/{id}/roll',
      '/portal/api/keys/{id}/revoke',
      '/portal/api/usage',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.paths['/dashboard/{*}']).toBeUndefined();
    expect(doc.components.securitySchemes.dashboardSession).toMatchObject({
      in: 'cookie',
      name: 'keyward_session',
    });
  });
});
