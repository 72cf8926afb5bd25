import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookDeliveryPage, WebhookView, WebhookWithSecret } from '@keyward/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTestServer, startCliTestServer } from './test-cli-server.js';

/**
 * `webhooks list|create|rotate-secret|deliveries|delete`, in-process against a real server
 * that may deliver to loopback, where a receiver answers 204.
 */
let t: CliTestServer;
let receiver: Server;
let receiverUrl: string;
let received = 0;

beforeAll(async () => {
  t = await startCliTestServer({ KEYWARD_WEBHOOK_ADDRESSES: 'loopback' });
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('webhooks', () => {
  it('creates a webhook and prints its signing secret once, with the warning', async () => {
    const run = await t.keyward([
      ...['webhooks', 'create', 'https://example.com/hooks/keyward'],
      ...['--event', 'key.revoked', '--event', 'alert.raised', '--description', 'security'],
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('shown ONCE');
    expect(run.stdout.match(/whsec_[A-Za-z0-9+/=]+/g)).toHaveLength(1);
    expect(run.stdout).toMatch(/^events:\s+key\.revoked, alert\.raised$/m);

    const list = await t.keyward(['webhooks', 'list']);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+URL\s+EVENTS\s+ENABLED$/);
    expect(list.stdout).toMatch(/https:\/\/example\.com\/hooks\/keyward\s+key\.revoked, alert\.raised\s+yes/);
    expect(list.stdout).not.toMatch(/whsec_/);
  });

  it('rotates the secret: a new one, printed once; the list and deliveries never show it', async () => {
    const created = await t.json<WebhookWithSecret>([
      ...['webhooks', 'create', 'https://example.com/rotate', '--event', 'key.created', '--disabled'],
    ]);
    expect(created).toMatchObject({ enabled: false, events: ['key.created'] });
    const rotated = await t.json<WebhookWithSecret>(['webhooks', 'rotate-secret', created.id]);
    expect(rotated.id).toBe(created.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);

    const page = await t.json<{ items: WebhookView[] }>(['webhooks', 'list']);
    expect(JSON.stringify(page)).not.toContain(rotated.secret);
    await expect(t.json<WebhookDeliveryPage>(['webhooks', 'deliveries', created.id])).resolves.toEqual({
      items: [],
      nextCursor: null,
    });
    expect((await t.keyward(['webhooks', 'deliveries', created.id])).stdout).toBe('(nothing yet)');
  });

  it('lists the delivery attempts of a webhook', async () => {
    const webhook = await t.json<WebhookWithSecret>([
      'webhooks',
      'create',
      receiverUrl,
      '--event',
      'key.created',
    ]);
    const api = await t.json<{ id: string }>(['apis', 'create', '--name', 'Hooked', '--prefix', 'hook_test']);
    await t.json(['keys', 'create', '--api', api.id]);
    // Delivery runs in the background, right after the key is created: wait for it, bounded.
    let page: WebhookDeliveryPage = { items: [], nextCursor: null };
    for (let i = 0; i < 100 && page.items.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      page = await t.json<WebhookDeliveryPage>(['webhooks', 'deliveries', webhook.id, '--limit', '5']);
    }
    expect(received).toBeGreaterThan(0);
    expect(page.items[0]).toMatchObject({
      eventType: 'key.created',
      attempt: 1,
      outcome: 'success',
      responseStatus: 204,
    });
    const table = await t.keyward(['webhooks', 'deliveries', webhook.id]);
    const [header, row] = table.stdout.split('\n');
    expect(header).toMatch(
      /^TIME\s+EVENT\s+ATTEMPT\s+OUTCOME\s+STATUS\s+MS\s+NEXT ATTEMPT\s+ERROR\s+MESSAGE$/,
    );
    expect(row).toMatch(/\skey\.created\s+1\s+success\s+204\s+\d+\s+-\s+-\s+\S+$/);
  });

  it('deletes a webhook', async () => {
    const webhook = await t.json<WebhookWithSecret>([
      ...['webhooks', 'create', 'https://example.com/gone', '--event', 'key.created'],
    ]);
    await expect(t.json(['webhooks', 'delete', webhook.id])).resolves.toEqual({
      id: webhook.id,
      deleted: true,
    });
    await t.fails(['webhooks', 'rotate-secret', webhook.id], /\(HTTP 404\)$/);
  });

  it('refuses unknown events and bad URLs in the words of its flags', async () => {
    await t.fails(
      ['webhooks', 'create', 'https://example.com/x', '--event', 'key.exploded'],
      /^keyward: --event must be one of key\.created, .* \(got "key\.exploded"\)$/,
    );
    await t.fails(
      ['webhooks', 'create', 'ftp://example.com/x', '--event', 'key.created'],
      '<url> must be an http or https URL',
    );
    await t.fails(
      ['webhooks', 'create', 'https://example.com/x'],
      "required option '--event <type>' not specified",
    );
  });
});
