import type { WebhookEventType } from './webhook-events.js';

/** A subscription: where a workspace's events of the chosen types are delivered. */
export interface WebhookEndpoint {
  /** `wh_…`. */
  id: string;
  workspaceId: string;
  /** http(s) URL; checked against the address policy at every delivery. */
  url: string;
  description: string | null;
  events: WebhookEventType[];
  /** Disabled endpoints receive nothing; their pending messages wait. */
  enabled: boolean;
  /** `whsec_…`, in clear (the store seals it at rest when given a pepper). */
  secret: string;
  createdAt: number;
  updatedAt: number;
}

/** `pending`: to be delivered (again) at `nextAttemptAt`. `succeeded` / `failed`: done. */
export type WebhookMessageStatus = 'pending' | 'succeeded' | 'failed';

/** One event for one endpoint: the outbox row a dispatcher delivers (its id is the `webhook-id`). */
export interface WebhookMessage {
  /** `msg_…`: the `webhook-id` header, the same on every attempt. */
  id: string;
  workspaceId: string;
  endpointId: string;
  eventType: WebhookEventType;
  /** The exact JSON body (see `envelopeBody`). */
  payload: string;
  status: WebhookMessageStatus;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due; null once done. */
  nextAttemptAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** One delivery attempt, as the delivery log shows it. */
export interface WebhookDelivery {
  /** `dlv_…`. */
  id: string;
  workspaceId: string;
  endpointId: string;
  messageId: string;
  eventType: WebhookEventType;
  /** 1 for the first attempt. */
  attempt: number;
  /** `success`: a 2xx answer. */
  outcome: 'success' | 'failure';
  /** The receiver's HTTP status; null when none came (refused, timed out, blocked address). */
  responseStatus: number | null;
  /** Why it failed, in one line (never the secret or the signature). */
  error: string | null;
  durationMs: number;
  /** When the attempt was made. */
  createdAt: number;
  /** When the next attempt is due; null when this one succeeded or was the last. */
  nextAttemptAt: number | null;
}
