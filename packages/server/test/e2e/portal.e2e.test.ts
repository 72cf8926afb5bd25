import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  chromiumPath,
  launchChromium,
  screenshot,
  seriousOnes,
  startUiServer,
  type UiServer,
} from '../../src/testing/browser.js';
import { type KeywardHttp, keywardHttp } from '../../src/testing/keyward-http.js';

const executable = chromiumPath();

describe.runIf(executable !== null)('the customer portal in Chromium', () => {
  let ui: UiServer;
  let http: KeywardHttp;
  let browser: Browser;
  let apiId: string;

  beforeAll(async () => {
    ui = await startUiServer();
    http = keywardHttp(ui.url, ui.rootKey);
    apiId = (await http.request('POST', '/v1/apis', { name: 'Charging API', prefix: 'amp_live' })).body.id;
    await http.request('PUT', `/v1/apis/${apiId}/portal-policy`, {
      enabled: true,
      allowCreate: true,
      allowRoll: true,
      allowRevoke: true,
      permissions: ['sessions:read', 'sessions:write'],
      ratelimits: [{ name: 'requests', limit: 100, duration: 60_000 }],
      credits: { remaining: 5000 },
      maxKeysPerConsumer: 3,
    });
    await http.request('PUT', '/v1/portal/branding', {
      name: 'Amp Charging',
      accentColor: '#0b7a53',
      apiBaseUrl: 'https://api.amp.example',
    });
    for (const externalId of ['acme', 'globex'])
      await http.request('POST', '/v1/consumers', { externalId, name: externalId.toUpperCase() });
    browser = await launchChromium(executable as string);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.close();
  });

  /** What the provider's backend does: a link for one customer, opened in a fresh browser. */
  async function openPortal(externalId: string): Promise<{ page: Page; url: string }> {
    const link = await http.request('POST', '/v1/portal/sessions', {
      externalId,
      returnUrl: 'https://amp.example/account',
    });
    expect(link.status).toBe(201);
    const context = await browser.newContext({ viewport: { width: 1200, height: 820 } });
    const page = await context.newPage();
    await page.goto(link.body.url);
    await page.getByRole('heading', { level: 1, name: 'Your API keys' }).waitFor();
    return { page, url: link.body.url };
  }

  it('takes a customer from the link to rolling their own key', async () => {
    const { page, url } = await openPortal('acme');
    // The token left the address bar and the history.
    expect(page.url()).toBe(`${ui.url}/portal/`);
    expect(page.url()).not.toContain('token');
    expect(await page.getByRole('link', { name: 'Back to Amp Charging' }).getAttribute('href')).toBe(
      'https://amp.example/account',
    );
    expect(seriousOnes(await axeViolations(page))).toEqual([]);

    await page.getByRole('button', { name: 'Create key' }).click();
    const create = page.getByRole('dialog', { name: 'Create a key' });
    await create.getByLabel('Name').fill('production server');
    await create.getByLabel('sessions:write').uncheck();
    await create.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: 'Your new key' });
    const first = await shown.getByLabel('The new secret').inputValue();
    expect(first).toMatch(/^amp_live_/);
    expect((await http.verify(first, { permissions: 'sessions:read' })).body).toMatchObject({
      valid: true,
      consumer: { externalId: 'acme' },
    });
    expect((await http.verify(first, { permissions: 'sessions:write' })).body.valid).toBe(false);
    await shown.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('button', { name: 'Roll production server' }).waitFor();
    expect(await page.content()).not.toContain(first);
    expect(await page.locator('pre.code').textContent()).toContain('https://api.amp.example/');
    await screenshot(page, 'portal');

    await page.getByRole('button', { name: 'Roll production server' }).click();
    const roll = page.getByRole('dialog', { name: 'Roll production server?' });
    await roll.getByLabel('Keep the old key working for').selectOption({ label: '1 hour' });
    expect(seriousOnes(await axeViolations(page))).toEqual([]);
    await roll.getByRole('button', { name: 'Roll key' }).click();
    const rolled = await page
      .getByRole('dialog', { name: 'Your new key' })
      .getByLabel('The new secret')
      .inputValue();
    expect(rolled).not.toBe(first);
    await screenshot(page, 'portal-rolled');
    expect((await http.verify(rolled)).body.valid).toBe(true);
    expect((await http.verify(first)).body.valid).toBe(true);
    await page.getByRole('button', { name: 'I have stored it' }).click();

    await page.getByRole('button', { name: 'Revoke production server' }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke production server?' });
    await revoke.getByLabel(/Type/).fill('revoke');
    await revoke.getByRole('button', { name: 'Revoke key' }).click();
    await page.locator('.badge-revoked').waitFor();
    expect((await http.verify(rolled)).body.code).toBe('REVOKED');

    // The link worked once.
    const again = await browser.newPage();
    await again.goto(url);
    await again.getByRole('heading', { name: 'This portal link has expired' }).waitFor();
    expect(seriousOnes(await axeViolations(again))).toEqual([]);
  }, 90_000);

  it("shows a second customer none of the first one's keys, and refuses them on the server", async () => {
    const { page: acme } = await openPortal('acme');
    await acme.getByRole('button', { name: 'Create key' }).click();
    await acme.getByRole('dialog', { name: 'Create a key' }).getByLabel('Name').fill('acme only');
    await acme
      .getByRole('dialog', { name: 'Create a key' })
      .getByRole('button', { name: 'Create key' })
      .click();
    await acme.getByRole('button', { name: 'I have stored it' }).click();
    const acmeKeys = (await acme.evaluate(
      `fetch('/portal/api/keys', { headers: { 'x-keyward-csrf': '1' } }).then((r) => r.json())`,
    )) as { items: Array<{ id: string; name: string }> };
    const acmeKey = acmeKeys.items.find((k) => k.name === 'acme only');
    expect(acmeKey).toBeDefined();

    const { page: globex } = await openPortal('globex');
    await globex.getByText('You have no keys yet.').waitFor();
    expect(await globex.content()).not.toContain('acme only');
    const attempt = (await globex.evaluate(
      `fetch('/portal/api/keys/${acmeKey?.id}/revoke', { method: 'POST', headers: { 'x-keyward-csrf': '1' } }).then((r) => r.status)`,
    )) as number;
    expect(attempt).toBe(404);
    const admin = (await globex.evaluate(
      `fetch('/v1/keys', { headers: { 'x-keyward-csrf': '1' } }).then((r) => r.status)`,
    )) as number;
    expect(admin).toBe(401);
    await screenshot(globex, 'portal-second-customer');
  }, 90_000);
});
