import type { Alert, MonitoringPolicy } from '@keyward/core/monitoring';
import type { WebhookDelivery, WebhookEndpoint } from '@keyward/core/webhooks';
import type { AlertView, MonitoringPolicyView, WebhookDeliveryView, WebhookView } from '@keyward/protocol';

/**
 * Public views of the monitoring and webhook records, built field by field (see
 * views.ts): an endpoint's signing secret never appears in a view.
 */

export const alertView = (alert: Alert): AlertView => ({
  id: alert.id,
  detector: alert.detector,
  subject: { type: alert.subject.type, id: alert.subject.id },
  severity: alert.severity,
  summary: alert.summary,
  evidence: alert.evidence,
  status: alert.status,
  occurrences: alert.occurrences,
  quarantinedAt: alert.quarantinedAt,
  createdAt: alert.createdAt,
  updatedAt: alert.updatedAt,
  acknowledgedAt: alert.acknowledgedAt,
  acknowledgedBy: alert.acknowledgedBy,
  resolvedAt: alert.resolvedAt,
});

export const policyView = (policy: MonitoringPolicy): MonitoringPolicyView => ({
  trafficSpike: { ...policy.trafficSpike },
  ipSpread: { ...policy.ipSpread },
  newNetwork: { ...policy.newNetwork },
  bruteForce: { ...policy.bruteForce },
  creditsLow: { ...policy.creditsLow },
  keyExpiring: { ...policy.keyExpiring },
  keyUnused: { ...policy.keyUnused },
  quarantine: [...policy.quarantine],
  leakedKeys: { ...policy.leakedKeys },
  clientExposure: { ...policy.clientExposure },
});

export const webhookView = (endpoint: WebhookEndpoint): WebhookView => ({
  id: endpoint.id,
  url: endpoint.url,
  description: endpoint.description,
  events: [...endpoint.events],
  enabled: endpoint.enabled,
  createdAt: endpoint.createdAt,
  updatedAt: endpoint.updatedAt,
});

export const webhookDeliveryView = (delivery: WebhookDelivery): WebhookDeliveryView => ({
  id: delivery.id,
  messageId: delivery.messageId,
  eventType: delivery.eventType,
  attempt: delivery.attempt,
  outcome: delivery.outcome,
  responseStatus: delivery.responseStatus,
  error: delivery.error,
  durationMs: delivery.durationMs,
  createdAt: delivery.createdAt,
  nextAttemptAt: delivery.nextAttemptAt,
});
