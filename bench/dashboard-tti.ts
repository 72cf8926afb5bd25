import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type KeyRecord, newId } from '@keyward/core';
import { createSqliteHandle, createStore, openSqliteDatabase } from '@keyward/core/sqlite';
import { chromiumPath, launchChromium, startUiServer } from '@keyward/server/testing';
import type { Browser } from 'playwright-core';
import type { Row } from './harness.js';

/**
 * Time to interactive of the dashboard in Debian's Chromium on this machine: a signed-in
 * browser with an empty cache opens a page; the clock runs from navigation start
 * (`performance.timeOrigin`) to the first animation frame in which the page shows its data
 * (the overview: its chart drawn; the keys page: the first page of rows). The workspace
 * holds `keys` keys, bulk-created through the store before the server starts.
 */
export interface DashboardBenchOptions {
  /** Keys in the workspace; default 100_000. */
  keys?: number;
  /** Cold loads per page (median and slowest reported); default 7. */
  rounds?: number;
}

async function seed(dataDir: string, count: number): Promise<void> {
  const database = openSqliteDatabase(join(dataDir, 'keyward.db'));
  const store = createStore(createSqliteHandle({ database }));
  try {
    const [workspace] = await store.workspaces.list();
    if (workspace === undefined) throw new Error('keyward init made no workspace');
    const now = Date.now();
    const apiId = newId('api');
    await store.apis.create({
      id: apiId,
      workspaceId: workspace.id,
      name: 'Charging API',
      prefix: 'amp_live',
      createdAt: now,
      updatedAt: now,
    });
    const consumers: string[] = [];
    for (let i = 0; i < 500; i++) {
      const id = newId('con');
      consumers.push(id);
      await store.consumers.create({
        id,
        workspaceId: workspace.id,
        externalId: `customer-${i}`,
        name: null,
        meta: null,
        ratelimits: [],
        credits: null,
        createdAt: now,
        updatedAt: now,
      });
    }
    for (let done = 0; done < count; done += 5000) {
      const batch: KeyRecord[] = [];
      for (let i = done; i < Math.min(count, done + 5000); i++) {
        const secret = randomBytes(12).toString('hex');
        batch.push({
          id: newId('key'),
          workspaceId: workspace.id,
          apiId,
          consumerId: consumers[i % consumers.length] as string,
          digest: createHash('sha256').update(secret).digest('hex'),
          hint: `amp_live_${secret.slice(0, 4)}…${secret.slice(-4)}`,
          name: `key ${i}`,
          meta: null,
          permissions: ['sessions:read'],
          roles: [],
          ratelimits: [],
          credits: null,
          allowedIps: [],
          environment: 'live',
          enabled: true,
          disabledReason: null,
          expiresAt: null,
          revokedAt: null,
          imported: false,
          kind: 'secret',
          createdAt: now,
          updatedAt: now,
        });
      }
      await store.keys.createMany(batch);
    }
  } finally {
    await store.close();
  }
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function runDashboardBench(options: DashboardBenchOptions = {}): Promise<Row[]> {
  const { keys = 100_000, rounds = 7 } = options;
  const executable = chromiumPath();
  if (executable === null) return [];
  const ui = await startUiServer({ beforeStart: (dir) => seed(dir, keys) });
  let browser: Browser | null = null;
  try {
    browser = await launchChromium(executable);
    const signIn = await fetch(`${ui.url}/dashboard/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-keyward-csrf': '1', origin: ui.url },
      body: JSON.stringify({ rootKey: ui.rootKey }),
    });
    const token = /keyward_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const pages: Array<[string, string, string]> = [
      ['overview', '/dashboard/', 'figure.chart canvas'],
      ['keys page', '/dashboard/keys', 'table[aria-label="Keys"] tbody tr'],
    ];
    const rows: Row[] = [];
    for (const [name, path, ready] of pages) {
      const times: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
        await context.addCookies([
          { name: 'keyward_session', value: token, url: ui.url, httpOnly: true, sameSite: 'Strict' },
        ]);
        const page = await context.newPage();
        await page.goto(`${ui.url}${path}`, { waitUntil: 'commit' });
        // A function, not a string: the page's CSP forbids eval. (This file has no DOM types.)
        const handle = await page.waitForFunction(
          (selector: string) => {
            const page = globalThis as unknown as { document: { querySelector(s: string): unknown } };
            return page.document.querySelector(selector) ? performance.now() : false;
          },
          ready,
          { polling: 'raf', timeout: 30_000 },
        );
        times.push(Number(await handle.jsonValue()));
        await context.close();
      }
      const p50 = median(times);
      rows.push({
        group: 'dashboard',
        name: `${name}, ${keys.toLocaleString('en')} keys, cold cache: time to interactive`,
        rate: 1000 / p50,
        unit: 'ops/s',
        p50Ms: p50,
        p99Ms: Math.max(...times),
      });
    }
    return rows;
  } finally {
    await browser?.close();
    await ui.close();
  }
}
