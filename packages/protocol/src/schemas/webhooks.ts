import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable, Page, PageQuery, Timestamp } from './common.js';

export const WebhookEventType = Type.Union([
  Type.Literal('key.created'),
  Type.Literal('key.updated'),
  Type.Literal('key.rolled'),
  Type.Literal('key.revoked'),
  Type.Literal('alert.raised'),
  Type.Literal('usage.threshold'),
  Type.Literal('key.leaked'),
  Type.Literal('key.expiring'),
  Type.Literal('key.rotation_due'),
  Type.Literal('key.idle'),
  Type.Literal('key.rotation_grace_ending'),
  Type.Literal('key.exposed_in_client'),
]);
export type WebhookEventType = Static<typeof WebhookEventType>;

const WebhookUrl = Type.String({
  minLength: 1,
  maxLength: 2000,
  description:
    'http(s) URL of the receiver; private and loopback addresses are refused unless the server allows them',
});
const Events = Type.Array(WebhookEventType, { minItems: 1, maxItems: 6, uniqueItems: true });
const Description = Type.String({ maxLength: 1000 });

export const CreateWebhookBody = Type.Object(
  {
    url: WebhookUrl,
    events: Events,
    description: Type.Optional(Nullable(Description)),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(WebhookUrl),
    events: Type.Optional(Events),
    description: Type.Optional(Nullable(Description)),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateWebhookBody = Static<typeof UpdateWebhookBody>;

export const WebhookView = Type.Object({
  id: Id,
  url: Type.String(),
  description: Nullable(Type.String()),
  events: Type.Array(WebhookEventType),
  enabled: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type WebhookView = Static<typeof WebhookView>;

/** Create and rotate answer the signing secret once (`whsec_…`, Standard Webhooks format). */
export const WebhookWithSecret = Type.Composite([WebhookView, Type.Object({ secret: Type.String() })]);
export type WebhookWithSecret = Static<typeof WebhookWithSecret>;

export const ListWebhooksQuery = PageQuery;
export const WebhookPage = Page(WebhookView);
export type WebhookPage = Static<typeof WebhookPage>;

/** One delivery attempt. */
export const WebhookDeliveryView = Type.Object({
  id: Id,
  /** The `webhook-id` header: the same on every attempt of one message. */
  messageId: Id,
  eventType: WebhookEventType,
  attempt: Type.Integer({ minimum: 1 }),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  responseStatus: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  durationMs: Type.Integer({ minimum: 0 }),
  /** When the attempt was made. */
  createdAt: Timestamp,
  /** When the next attempt is due; null after a success or the last attempt. */
  nextAttemptAt: Nullable(Timestamp),
});
export type WebhookDeliveryView = Static<typeof WebhookDeliveryView>;

export const ListWebhookDeliveriesQuery = PageQuery;
/** Newest first. */
export const WebhookDeliveryPage = Page(WebhookDeliveryView);
export type WebhookDeliveryPage = Static<typeof WebhookDeliveryPage>;

/** `POST /v1/webhooks/:id/messages/:messageId/retry`. */
export const WebhookMessageParams = Type.Object({ id: Id, messageId: Id }, { additionalProperties: false });
export type WebhookMessageParams = Static<typeof WebhookMessageParams>;

/** A message queued again: the dispatcher sends it now. */
export const WebhookRetryView = Type.Object({
  messageId: Id,
  eventType: WebhookEventType,
  status: Type.Literal('pending'),
  /** Attempts made so far; the retry is attempt `attempts + 1`. */
  attempts: Type.Integer({ minimum: 0 }),
});
export type WebhookRetryView = Static<typeof WebhookRetryView>;
