import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { KeywardError } from '../contracts/errors.js';

/** Prefix of webhook signing secrets (as in the Standard Webhooks specification). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` + base64 of 32 random bytes. Shown once, when the endpoint is created or rotated. */
export const generateWebhookSecret = (): string =>
  `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

/** The HMAC key of a `whsec_…` secret (the base64-decoded part after the prefix). */
export function webhookSecretKey(secret: string): Buffer {
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? secret.slice(WEBHOOK_SECRET_PREFIX.length)
    : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 24 || key.toString('base64') !== encoded) {
    throw new KeywardError('VALIDATION', 'a webhook secret is whsec_ followed by base64 of 24-64 bytes');
  }
  return key;
}

/** What is signed: `<webhook-id>.<webhook-timestamp>.<body>`. */
export interface SignedContent {
  id: string;
  /** Unix seconds, as sent in `webhook-timestamp`. */
  timestamp: number;
  body: string;
}

/**
 * The `webhook-signature` header value of the Standard Webhooks specification:
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body" keyed with the decoded secret>`.
 *
 * @example signWebhook(secret, { id: 'msg_…', timestamp: 1700000000, body }) // 'v1,K5oZ…'
 */
export function signWebhook(secret: string, content: SignedContent): string {
  const mac = createHmac('sha256', webhookSecretKey(secret))
    .update(`${content.id}.${content.timestamp}.${content.body}`, 'utf8')
    .digest('base64');
  return `v1,${mac}`;
}

/** The three headers of one signed delivery. */
export function webhookHeaders(secret: string, content: SignedContent): Record<string, string> {
  return {
    'webhook-id': content.id,
    'webhook-timestamp': String(content.timestamp),
    'webhook-signature': signWebhook(secret, content),
  };
}

/**
 * Checks a delivery as a receiver would: a `v1` signature among the space-separated ones
 * matches (compared in constant time) and the timestamp is within `toleranceSec` of `now`
 * (replay protection). Returns false instead of throwing for anything wrong.
 */
export function verifyWebhook(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  options: { now?: number; toleranceSec?: number } = {},
): boolean {
  const { now = Date.now(), toleranceSec = 300 } = options;
  const timestamp = /^\d{1,12}$/.test(headers.timestamp) ? Number(headers.timestamp) : Number.NaN;
  if (!Number.isFinite(timestamp) || Math.abs(now / 1000 - timestamp) > toleranceSec) return false;
  let expected: Buffer;
  try {
    expected = Buffer.from(signWebhook(secret, { id: headers.id, timestamp, body }).slice(3), 'base64');
  } catch {
    return false;
  }
  return headers.signature.split(' ').some((entry) => {
    const [version, mac] = entry.split(',', 2);
    if (version !== 'v1' || mac === undefined) return false;
    const given = Buffer.from(mac, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
