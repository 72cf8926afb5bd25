import type { Engine, UsageEvent } from '@keyward/core';
import { createEngine } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { parseAuthorization } from './bearer.js';
import { createGuard, type RequestReader } from './guard.js';
import { type LocalEngine, localVerifier } from './local-verifier.js';
import { createKeywardFixture, type KeywardFixture } from './testing/fixture.js';

/** The smallest request a guard can read: plain data, no framework. */
interface PlainRequest {
  authorization?: string;
  url?: string;
  ip?: string;
}

const reader = (errors: unknown[] = []): RequestReader<PlainRequest> => ({
  credential: (r) => parseAuthorization(r.authorization === undefined ? [] : [r.authorization]),
  target: (r) => r.url ?? '/',
  ip: (r) => r.ip,
  onError: (error) => errors.push(error),
});

describe('createGuard', () => {
  let fx: KeywardFixture;
  let events: UsageEvent[];
  let engine: Engine;

  beforeAll(async () => {
    fx = await createKeywardFixture();
    events = [];
    engine = createEngine({
      store: fx.store,
      now: fx.clock.now,
      usage: { record: (event) => events.push(event) },
    });
  });
  afterAll(async () => {
    await engine?.close();
    await fx?.close();
  });

  it('takes a core Engine as the local engine', async () => {
    expectTypeOf<Engine>().toExtend<LocalEngine>();
    const local: LocalEngine = engine;
    // And at run time it verifies: an unknown key is refused, not an error.
    await expect(localVerifier(local).verify('amp_live_not_a_key', {})).resolves.toMatchObject({
      valid: false,
    });
  });

  it('sends the route options, the client address and the tags with the verification', async () => {
    const issued = await fx.issue({ permissions: ['stations:read'], allowedIps: ['198.51.100.0/24'] });
    const guard = createGuard<PlainRequest>(
      {
        verifier: localVerifier(engine),
        permissions: 'stations:read',
        apiId: fx.apiId,
        cost: 0,
        getClientIp: () => '198.51.100.20',
        tags: (r) => [`GET ${r.url}`],
      },
      reader(),
    );
    const answer = await guard({ authorization: `Bearer ${issued.key}`, url: '/stations', ip: '10.0.0.1' });
    expect(answer.allow).toBe(true);
    expect(events.at(-1)).toMatchObject({
      keyId: issued.id,
      code: 'VALID',
      ip: '198.51.100.20',
      tags: ['GET /stations'],
    });
  });

  it('uses the reader address by default', async () => {
    const issued = await fx.issue({ allowedIps: ['198.51.100.0/24'] });
    const guard = createGuard<PlainRequest>({ verifier: localVerifier(engine) }, reader());
    expect((await guard({ authorization: `Bearer ${issued.key}`, ip: '198.51.100.7' })).allow).toBe(true);
    const elsewhere = await guard({ authorization: `Bearer ${issued.key}`, ip: '192.0.2.7' });
    expect(elsewhere.allow ? 200 : elsewhere.status).toBe(403);
  });

  it('shares the default throttle between the guards of one verifier', async () => {
    const verifier = localVerifier(engine);
    const stations = createGuard<PlainRequest>({ verifier, permissions: 'stations:read' }, reader());
    const sessions = createGuard<PlainRequest>({ verifier, permissions: 'sessions:write' }, reader());
    for (let i = 0; i < 20; i++)
      await (i % 2 === 0 ? stations : sessions)({ authorization: 'Bearer x"', ip: '192.0.2.99' });
    const answer = await sessions({ authorization: `Bearer ${fx.unknownKey()}`, ip: '192.0.2.99' });
    expect(answer.allow ? 200 : answer.status).toBe(429);
    const other = createGuard<PlainRequest>({ verifier: localVerifier(engine) }, reader());
    const fresh = await other({ authorization: 'Bearer x"', ip: '192.0.2.99' });
    expect(fresh.allow ? 200 : fresh.status).toBe(401);
  });

  it('answers 503 and reports the engine message for a malformed permission query', async () => {
    const errors: unknown[] = [];
    const guard = createGuard<PlainRequest>(
      { verifier: localVerifier(engine), permissions: 'a AND (b' },
      reader(errors),
    );
    const issued = await fx.issue();
    const answer = await guard({ authorization: `Bearer ${issued.key}` });
    expect(answer.allow ? 200 : answer.status).toBe(503);
    expect(String(errors[0])).toMatch(/position/);
  });

  it('refuses options that can never work, at build time', () => {
    const verifier = localVerifier(engine);
    expect(() => createGuard<PlainRequest>({ verifier, realm: 'bad\r\nrealm' }, reader())).toThrow(
      RangeError,
    );
    expect(() => createGuard<PlainRequest>({ verifier, cost: -1 }, reader())).toThrow(RangeError);
    expect(() => createGuard<PlainRequest>({ verifier, cost: 1.5 }, reader())).toThrow(RangeError);
    expect(() => createGuard<PlainRequest>({ verifier, ratelimits: [{ name: '' }] }, reader())).toThrow(
      RangeError,
    );
    expect(() =>
      createGuard<PlainRequest>({ verifier, ratelimits: [{ name: 'a', cost: -2 }] }, reader()),
    ).toThrow(RangeError);
    expect(() => createGuard<PlainRequest>({ verifier, throttle: { maxFailures: 0 } }, reader())).toThrow(
      RangeError,
    );
  });
});
