/** Row shapes of the webhook tables (migration `0005_webhooks`), with the conventions of `store/schema.ts`. */

export interface WebhookEndpointRow {
  id: string;
  workspace_id: string;
  url: string;
  description: string | null;
  /** JSON array of event types. */
  events: string;
  /** 0/1 on both dialects. */
  enabled: number;
  /** `whsec_…`, or `enc:v1:…` when sealed with the pepper. */
  secret: string;
  created_at: number;
  updated_at: number;
}

export interface WebhookMessageRow {
  id: string;
  workspace_id: string;
  endpoint_id: string;
  event_type: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  /** A dispatcher holds the message until then (crash: another takes it over afterwards). */
  locked_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveryRow {
  id: string;
  workspace_id: string;
  endpoint_id: string;
  message_id: string;
  event_type: string;
  attempt: number;
  outcome: string;
  response_status: number | null;
  error: string | null;
  duration_ms: number;
  created_at: number;
  next_attempt_at: number | null;
}

export interface WebhookDatabase {
  webhook_endpoints: WebhookEndpointRow;
  webhook_messages: WebhookMessageRow;
  webhook_deliveries: WebhookDeliveryRow;
}
