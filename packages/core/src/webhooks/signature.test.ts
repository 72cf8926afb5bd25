import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookHeaders,
  webhookSecretKey,
} from './signature.js';

// The example of the Standard Webhooks specification (and of the Svix libraries' tests).
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signatures', () => {
  it('matches the specification example (known answer)', () => {
    expect(signWebhook(SPEC.secret, SPEC)).toBe(SPEC.signature);
    expect(webhookHeaders(SPEC.secret, SPEC)).toEqual({
      'webhook-id': SPEC.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': SPEC.signature,
    });
  });

  it('verifies a genuine delivery, among several signatures, within the tolerance', () => {
    const headers = { id: SPEC.id, timestamp: String(SPEC.timestamp), signature: SPEC.signature };
    const now = SPEC.timestamp * 1000 + 60_000;
    expect(verifyWebhook(SPEC.secret, headers, SPEC.body, { now })).toBe(true);
    const rotated = { ...headers, signature: `v1,bm90IGl0 ${SPEC.signature}` };
    expect(verifyWebhook(SPEC.secret, rotated, SPEC.body, { now })).toBe(true);
  });

  it('rejects a changed body, id or timestamp, another secret, a stale timestamp and other versions', () => {
    const headers = { id: SPEC.id, timestamp: String(SPEC.timestamp), signature: SPEC.signature };
    const now = SPEC.timestamp * 1000;
    expect(verifyWebhook(SPEC.secret, headers, '{"test": 2432232315}', { now })).toBe(false);
    expect(verifyWebhook(SPEC.secret, { ...headers, id: 'msg_other' }, SPEC.body, { now })).toBe(false);
    expect(
      verifyWebhook(SPEC.secret, { ...headers, timestamp: String(SPEC.timestamp + 1) }, SPEC.body, { now }),
    ).toBe(false);
    expect(verifyWebhook(generateWebhookSecret(), headers, SPEC.body, { now })).toBe(false);
    expect(verifyWebhook(SPEC.secret, headers, SPEC.body, { now: now + 301_000 })).toBe(false);
    expect(
      verifyWebhook(SPEC.secret, { ...headers, signature: SPEC.signature.replace('v1', 'v2') }, SPEC.body, {
        now,
      }),
    ).toBe(false);
  });

  it('generates whsec_ secrets of 32 random bytes whose key signs as HMAC-SHA256', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secret).not.toBe(generateWebhookSecret());
    const key = webhookSecretKey(secret);
    expect(key).toHaveLength(32);
    const mac = createHmac('sha256', key).update('a.1.{}').digest('base64');
    expect(signWebhook(secret, { id: 'a', timestamp: 1, body: '{}' })).toBe(`v1,${mac}`);
    expect(() => webhookSecretKey('whsec_c2hvcnQ=')).toThrow(/base64/);
  });
});
