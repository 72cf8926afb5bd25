/**
 * Access-pattern monitoring: detectors look at usage and key state and report findings;
 * a finding becomes an alert (one active alert per detector and subject). IP addresses
 * appear only inside `evidence` (what the alert shows): never in a summary, a log line
 * or a metric label.
 */

/** Every detector, by name. */
export const DETECTORS = [
  'traffic_spike',
  'ip_spread',
  'new_network',
  'brute_force',
  'credits_low',
  'key_expiring',
  'key_unused',
  'rotation_grace_ending',
  /** Not a detector run on a schedule: raised when a key is reported leaked (secret scanning). */
  'key_leaked',
  /** Not run on a schedule either: a lifetime reminder (expiry, rotation, idle) of a key's API policy. */
  'key_lifetime',
  /** Not scheduled either: raised when a secret key is presented by a browser (`looksLikeBrowser`). */
  'key_exposed_in_client',
] as const;
export type DetectorName = (typeof DETECTORS)[number];

/** Detectors whose alerts may quarantine their key (see `MonitoringPolicy.quarantine`). */
export const QUARANTINE_DETECTORS = ['traffic_spike', 'ip_spread', 'new_network', 'key_unused'] as const;
export type QuarantineDetector = (typeof QUARANTINE_DETECTORS)[number];

export type AlertSeverity = 'info' | 'warning' | 'critical';

/**
 * What an alert is about: a key, a consumer (its shared credits), a client address (brute
 * force), or the workspace itself (brute force through the verify API without an address).
 */
export type AlertSubject =
  | { type: 'key'; id: string }
  | { type: 'consumer'; id: string }
  | { type: 'ip'; id: string }
  | { type: 'workspace'; id: string };

/** One thing a detector found wrong, with the numbers that show it. */
export interface Finding {
  detector: DetectorName;
  subject: AlertSubject;
  severity: AlertSeverity;
  /** One human sentence, without any IP address. */
  summary: string;
  /** The numbers, window and (where relevant) addresses behind the finding. */
  evidence: Record<string, unknown>;
}

/**
 * `open`: raised, nobody looked yet. `acknowledged`: someone took it; it stays active (no
 * new alert for the same detector and subject) until the condition clears. `resolved`:
 * the detector no longer finds it.
 */
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

export interface Alert {
  /** `alert_…`. */
  id: string;
  workspaceId: string;
  detector: DetectorName;
  subject: AlertSubject;
  severity: AlertSeverity;
  summary: string;
  /** The latest evidence (refreshed by every run that still finds it). */
  evidence: Record<string, unknown>;
  status: AlertStatus;
  /** Detector runs that found it (1 when raised). */
  occurrences: number;
  /** When the policy quarantined its key because of it; null otherwise. */
  quarantinedAt: number | null;
  createdAt: number;
  /** Last run that found it (or its last status change). */
  updatedAt: number;
  acknowledgedAt: number | null;
  /** Root key id (or `cli`) that acknowledged it. */
  acknowledgedBy: string | null;
  resolvedAt: number | null;
}
