import { afterEach, describe, expect, it } from 'vitest';
import type { UsageEvent } from '../contracts/usage-sink.js';
import { generateKey, keyHint } from '../keys/key-format.js';
import { createHarness, type Harness, T0 } from './engine.fixtures.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const HOUR = 3_600_000;

/** A harness whose usage events land in `events`, and a key rolled at T0 + 1000 with an hour of grace. */
async function rolledKey() {
  const events: UsageEvent[] = [];
  h = await createHarness({ usage: { record: (event) => events.push(event) } });
  const { key: oldKey, record } = await h.issue();
  // Cached before the roll: the roll's invalidation must replace the entry.
  await h.engine.verifyKey(oldKey);
  h.clock.now = T0 + 1000;
  const newKey = generateKey(h.api.prefix);
  const rolled = await h.store.keys.roll(
    h.ws.id,
    record.id,
    { digest: h.engine.digest(newKey), hint: keyHint(newKey), graceUntil: T0 + 1000 + HOUR },
    h.clock.now,
  );
  if (rolled === null) throw new Error('roll failed');
  await h.engine.invalidate({ type: 'key', keyId: record.id, digests: [rolled.oldDigest, record.digest] });
  events.length = 0;
  return { events, oldKey, newKey, record };
}

describe('verifyKey: rotation telemetry', () => {
  it('marks nothing for a key that was never rolled', async () => {
    const events: UsageEvent[] = [];
    h = await createHarness({ usage: { record: (event) => events.push(event) } });
    const { key } = await h.issue();
    await h.engine.verifyKey(key, { client: { userAgent: 'curl/8' } });
    expect(events).toHaveLength(1);
    expect(events[0]).not.toHaveProperty('credential');
    expect(events[0]).not.toHaveProperty('userAgent');
  });

  it('tells the old secret from the new one during the grace period, with the roll and the user agent', async () => {
    const { events, oldKey, newKey } = await rolledKey();
    await expect(
      h.engine.verifyKey(oldKey, { client: { userAgent: 'legacy-client/1.0' } }),
    ).resolves.toMatchObject({
      code: 'VALID',
    });
    await h.engine.verifyKey(newKey, { client: { userAgent: 'x'.repeat(300) } });
    await h.engine.verifyKey(newKey);
    expect(events.map((e) => [e.code, e.credential, e.rolledAt, e.userAgent])).toEqual([
      ['VALID', 'previous', T0 + 1000, 'legacy-client/1.0'],
      ['VALID', 'current', T0 + 1000, 'x'.repeat(256)],
      ['VALID', 'current', T0 + 1000, undefined],
    ]);
  });

  it('still marks the old secret once refused after the grace, and stops marking the new one', async () => {
    const { events, oldKey, newKey } = await rolledKey();
    h.clock.now = T0 + 1000 + HOUR;
    await expect(h.engine.verifyKey(oldKey)).resolves.toMatchObject({ code: 'REVOKED' });
    await expect(h.engine.verifyKey(newKey)).resolves.toMatchObject({ code: 'VALID' });
    expect(events.map((e) => [e.code, e.credential])).toEqual([
      ['REVOKED', 'previous'],
      ['VALID', undefined],
    ]);
  });

  it('follows a grace ended or extended in the store once the key is invalidated (through the cache)', async () => {
    const { oldKey, record } = await rolledKey();
    await expect(h.engine.verifyKey(oldKey)).resolves.toMatchObject({ code: 'VALID' });
    const digests = await h.store.keys.digests(record.id);

    h.clock.now = T0 + 2000;
    await h.store.keys.setGrace(
      h.ws.id,
      record.id,
      { type: 'extend', graceUntil: T0 + 3 * HOUR },
      h.clock.now,
    );
    await h.engine.invalidate({ type: 'key', keyId: record.id, digests });
    h.clock.now = T0 + 2 * HOUR;
    await expect(h.engine.verifyKey(oldKey)).resolves.toMatchObject({ code: 'VALID' });

    await h.store.keys.setGrace(h.ws.id, record.id, { type: 'end' }, h.clock.now);
    await h.engine.invalidate({ type: 'key', keyId: record.id, digests });
    await expect(h.engine.verifyKey(oldKey)).resolves.toMatchObject({ code: 'REVOKED' });
  });
});
