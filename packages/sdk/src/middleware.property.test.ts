import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuthorization } from './bearer.js';
import {
  type AuthorizationInput,
  authorizationInput,
  type Expected,
  expectedAnswer,
} from './testing/authorization-arbitrary.js';
import { buildExpressApp } from './testing/express-app.js';
import { buildFastifyPluginApp } from './testing/fastify-app.js';
import { createKeywardFixture, type KeywardFixture } from './testing/fixture.js';
import { buildHonoApp } from './testing/hono-app.js';
import type { BuildTestApp, TestApp, TestResponse } from './testing/test-app.js';

/**
 * ≥10,000 generated Authorization headers at each middleware (local mode; 1,000 more
 * through the verify API in remote mode): never a 5xx, always the status the RFC 6750
 * table gives. A value the transport cannot carry (Node and Fetch refuse CR, LF, NUL and
 * more) never reaches a route in production: it is checked at the parser, and the request
 * goes out with those characters dropped, so every generated case hits the middleware.
 */

/** What Node's HTTP client accepts in a header value. */
const transportable = (value: string): string => value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');

const FRAMEWORKS: Array<[string, BuildTestApp]> = [
  ['express', buildExpressApp],
  ['fastify', buildFastifyPluginApp],
  ['hono', buildHonoApp],
];

const RUNS = { local: 10_000, remote: 1_000 } as const;

function checkAnswer(res: TestResponse, expected: Expected, keyId: string): void {
  expect(res.status).toBe(expected.status);
  if (expected.status === 200) {
    expect(res.body).toMatchObject({ identity: { keyId } });
    return;
  }
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const challenge = res.headers['www-authenticate'];
  if (expected.error === null) expect(challenge).toBe('Bearer realm="props"');
  else expect(challenge).toBe(`Bearer realm="props", error="${expected.error}"`);
}

/** The parser's verdict for what cannot travel: the same class of answer the oracle gives. */
function checkAtParser(input: AuthorizationInput, expected: Expected): void {
  const lines = input === undefined ? [] : Array.isArray(input) ? input : [input];
  const kind = parseAuthorization(lines).kind;
  if (expected.status === 400) expect(kind).toBe('duplicate');
  else if (expected.status === 200) expect(kind).toBe('ok');
  else if (expected.error === null) expect(kind).toBe('missing');
  else expect(['malformed', 'ok']).toContain(kind);
}

describe.each(['local', 'remote'] as const)('Authorization headers at every middleware (%s mode)', (mode) => {
  let fx: KeywardFixture;
  let key: string;
  let keyId: string;

  beforeAll(async () => {
    fx = await createKeywardFixture();
    const issued = await fx.issue({ permissions: ['stations:read'] });
    key = issued.key;
    keyId = issued.id;
  });
  afterAll(async () => {
    await fx?.close();
  });

  describe.each(FRAMEWORKS)('%s', (_name, build) => {
    let app: TestApp;
    beforeAll(async () => {
      app = await build({
        verifier: mode === 'local' ? fx.local : fx.remote(),
        realm: 'props',
        throttle: false,
      });
    });
    afterAll(async () => {
      await app?.close();
    });

    it(`answers ${RUNS[mode]} generated headers by the table, never with a 5xx`, async () => {
      let sent = 0;
      const one = async (input: AuthorizationInput) => {
        const lines = input === undefined ? [] : Array.isArray(input) ? input : [input];
        if (lines.some((line) => app.carried(line) === null))
          checkAtParser(input, expectedAnswer(input, key));
        const travelled = lines.map((line) => app.carried(line) ?? app.carried(transportable(line)) ?? '');
        const sentInput: AuthorizationInput =
          input === undefined ? undefined : Array.isArray(input) ? travelled : travelled[0];
        const res = await app.request({
          path: '/stations',
          ...(sentInput === undefined ? {} : { authorization: sentInput }),
        });
        sent++;
        expect(res.status).toBeLessThan(500);
        checkAnswer(res, expectedAnswer(sentInput, key), keyId);
      };
      await fc.assert(fc.asyncProperty(authorizationInput(key), one), { numRuns: RUNS[mode] });
      expect(sent).toBe(RUNS[mode]);
    }, 180_000);
  });
});
