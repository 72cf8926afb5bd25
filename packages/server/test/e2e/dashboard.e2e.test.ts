import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AxeViolation,
  axeViolations,
  chromiumPath,
  launchChromium,
  screenshot,
  seriousOnes,
  startUiServer,
  type UiServer,
} from '../../src/testing/browser.js';
import { keywardHttp } from '../../src/testing/keyward-http.js';

const executable = chromiumPath();

/** The accessibility result of every page visited, printed at the end (the report's figures). */
const axeResults: Array<{ page: string; violations: AxeViolation[] }> = [];

async function checkPage(page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page);
  axeResults.push({ page: name, violations });
  expect(seriousOnes(violations), `${name}: ${JSON.stringify(seriousOnes(violations))}`).toEqual([]);
  await screenshot(page, name);
}

describe.runIf(executable !== null)('the provider dashboard in Chromium', () => {
  let ui: UiServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ui = await startUiServer();
    browser = await launchChromium(executable as string);
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.close();
    for (const { page: name, violations } of axeResults) {
      const line = violations.map((v) => `${v.id} (${v.impact})`).join(', ') || 'none';
      console.info(`axe ${name}: ${line}`);
    }
  });

  const go = async (path: string, heading: string) => {
    await page.goto(`${ui.url}/dashboard${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };

  it('signs in with a root key that is then gone from the page and from storage', async () => {
    await page.goto(`${ui.url}/dashboard/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await checkPage(page, 'sign-in');
    await page.getByLabel('Root key').fill(ui.rootKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();

    const traces = (await page.evaluate(`({
      html: document.documentElement.outerHTML,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      inputs: [...document.querySelectorAll('input')].map((i) => i.value),
    })`)) as { html: string; local: string; session: string; inputs: string[] };
    expect(traces.html).not.toContain(ui.rootKey);
    expect(traces.local).not.toContain(ui.rootKey);
    expect(traces.session).not.toContain(ui.rootKey);
    expect(traces.inputs).not.toContain(ui.rootKey);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'keyward_session', httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie?.value).not.toBe(ui.rootKey);
  });

  it('creates an API and a key, shown once and gone after closing and reloading', async () => {
    await go('/apis', 'APIs');
    await page.getByRole('button', { name: 'Create API' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an API' });
    await dialog.getByLabel('Name').fill('Charging API');
    await dialog.getByLabel('Key prefix').fill('amp_live');
    await dialog.getByRole('button', { name: 'Create API' }).click();
    await page.getByRole('cell', { name: 'Charging API' }).waitFor();
    await checkPage(page, 'apis');

    await go('/keys', 'Keys');
    await page.getByRole('button', { name: 'Create key' }).click();
    const create = page.getByRole('dialog', { name: 'Create a key' });
    await create.getByLabel('API').selectOption({ label: 'Charging API (amp_live)' });
    await create.getByLabel('Name').fill('acme production');
    await create.getByLabel('Customer (external id)').fill('acme');
    await create.getByLabel('Permissions').fill('sessions:read');
    await create.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: /Key created/ });
    const key = await shown.getByLabel('The new secret').inputValue();
    expect(key).toMatch(/^amp_live_[A-Za-z0-9]{36}$/);
    await shown.getByRole('alert').waitFor();
    await screenshot(page, 'key-created');
    await shown.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('link', { name: /acme production/ }).waitFor();
    expect(await page.content()).not.toContain(key);
    await page.reload();
    await page.getByRole('link', { name: /acme production/ }).waitFor();
    expect(await page.content()).not.toContain(key);
    await checkPage(page, 'keys');

    // Verified by the provider's backend, it shows in the key's usage chart.
    const http = keywardHttp(ui.url, ui.rootKey);
    expect((await http.verify(key, { permissions: 'sessions:read' })).body).toMatchObject({ valid: true });
    await page.getByRole('link', { name: /acme production/ }).click();
    await page.getByRole('heading', { level: 1, name: 'acme production' }).waitFor();
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.locator('figure.chart').waitFor();
          return page.locator('table.chart-totals th', { hasText: /^VALID$/ }).count();
        },
        { timeout: 15_000, interval: 1000 },
      )
      .toBe(1);
    await checkPage(page, 'key');

    // Revoked behind a typed confirmation, then refused by the verify API.
    await page.getByRole('button', { name: 'Revoke' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke this key?' });
    const button = confirm.getByRole('button', { name: 'Revoke key' });
    expect(await button.isDisabled()).toBe(true);
    await confirm.getByLabel(/Type/).fill('revoke');
    await button.click();
    await page.locator('.badge-revoked').waitFor();
    expect((await http.verify(key)).body).toMatchObject({ valid: false, code: 'REVOKED' });
  }, 60_000);

  it('works the key dialogs by keyboard alone', async () => {
    await go('/keys', 'Keys');
    const open = page.getByRole('button', { name: 'Create key' });
    await open.focus();
    await page.keyboard.press('Enter');
    const create = page.getByRole('dialog', { name: 'Create a key' });
    await create.waitFor();
    // Focus moved into the dialog: typing reaches its first control.
    expect(await page.evaluate(`document.activeElement?.closest('dialog') !== null`)).toBe(true);
    await page.keyboard.press('Escape');
    await create.waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Create key');

    await page.keyboard.press('Enter');
    await create.waitFor();
    await create.getByLabel('API').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.type('keyboard only');
    await create.getByRole('button', { name: 'Create key' }).focus();
    await page.keyboard.press('Enter');
    const shown = page.getByRole('dialog', { name: /Key created: keyboard only/ });
    await shown.waitFor();
    await shown.getByRole('button', { name: 'I have stored it' }).focus();
    await page.keyboard.press('Enter');
    await shown.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: /keyboard only/ }).waitFor();
  });

  it('passes axe on every other page', async () => {
    const http = keywardHttp(ui.url, ui.rootKey);
    await http.request('POST', '/v1/roles', { name: 'reader', permissions: ['sessions:read'] });
    for (const [path, heading, name] of [
      ['/', 'Overview', 'overview'],
      ['/consumers', 'Consumers', 'consumers'],
      ['/usage', 'Usage', 'usage'],
      ['/alerts', 'Alerts', 'alerts'],
      ['/roles', 'Roles', 'roles'],
      ['/root-keys', 'Root keys', 'root-keys'],
      ['/webhooks', 'Webhooks', 'webhooks'],
      ['/audit', 'Audit log', 'audit'],
      ['/portal', 'Customer portal', 'portal-settings'],
    ] as const) {
      await go(path, heading);
      await page.waitForLoadState('networkidle');
      await checkPage(page, name);
    }
  }, 120_000);

  it('signs out on the server: the old cookie is refused afterwards', async () => {
    await go('/', 'Overview');
    const [cookie] = await context.cookies();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const replay = await fetch(`${ui.url}/v1/apis`, {
      headers: { cookie: `keyward_session=${cookie?.value}`, 'x-keyward-csrf': '1' },
    });
    expect(replay.status).toBe(401);
    await page.goto(`${ui.url}/dashboard/keys`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }, 60_000);
});
