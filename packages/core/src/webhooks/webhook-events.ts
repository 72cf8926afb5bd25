/** Event types a webhook endpoint can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'key.created',
  'key.updated',
  'key.rolled',
  'key.revoked',
  'alert.raised',
  'usage.threshold',
  'key.leaked',
  /** Lifetime reminders (`decisions/lifetime.ts`): sent once per key and deadline. */
  'key.expiring',
  'key.rotation_due',
  'key.idle',
  'key.rotation_grace_ending',
  'key.exposed_in_client',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * The JSON body of every delivery, as the Standard Webhooks specification suggests:
 * `{"type": "key.created", "timestamp": "2030-01-01T00:00:00.000Z", "data": {...}}`.
 * `timestamp` is when the event happened (every retry carries the same body).
 */
export interface WebhookEnvelope {
  type: WebhookEventType;
  timestamp: string;
  data: Record<string, unknown>;
}

/** The exact body text of an event (stored once, signed and sent as is on every attempt). */
export const envelopeBody = (type: WebhookEventType, data: Record<string, unknown>, at: number): string =>
  JSON.stringify({ type, timestamp: new Date(at).toISOString(), data } satisfies WebhookEnvelope);
