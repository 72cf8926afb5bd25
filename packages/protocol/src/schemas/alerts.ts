import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable, Page, PageQueryFields, Timestamp } from './common.js';

export const DetectorName = Type.Union(
  [
    Type.Literal('traffic_spike'),
    Type.Literal('ip_spread'),
    Type.Literal('new_network'),
    Type.Literal('brute_force'),
    Type.Literal('credits_low'),
    Type.Literal('key_expiring'),
    Type.Literal('key_unused'),
    Type.Literal('rotation_grace_ending'),
    Type.Literal('key_leaked'),
    Type.Literal('key_lifetime'),
    Type.Literal('key_exposed_in_client'),
  ],
  { description: 'The detector that raised the alert' },
);
export type DetectorName = Static<typeof DetectorName>;

/** Detectors whose alerts can quarantine their key. */
export const QuarantineDetector = Type.Union([
  Type.Literal('traffic_spike'),
  Type.Literal('ip_spread'),
  Type.Literal('new_network'),
  Type.Literal('key_unused'),
]);

export const AlertStatus = Type.Union(
  [Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('resolved')],
  {
    description: 'open: new; acknowledged: someone took it (still active); resolved: no longer found',
  },
);

export const AlertView = Type.Object({
  id: Id,
  detector: DetectorName,
  /** What the alert is about: a key, a consumer (shared credits), a client address (brute force) or the workspace (guesses without an address). */
  subject: Type.Object({
    type: Type.Union([
      Type.Literal('key'),
      Type.Literal('consumer'),
      Type.Literal('ip'),
      Type.Literal('workspace'),
    ]),
    id: Type.String(),
  }),
  severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
  summary: Type.String(),
  /** The numbers, window and addresses behind the alert (the latest run that found it). */
  evidence: Type.Record(Type.String(), Type.Unknown()),
  status: AlertStatus,
  occurrences: Type.Integer({ minimum: 1 }),
  quarantinedAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  acknowledgedAt: Nullable(Timestamp),
  acknowledgedBy: Nullable(Type.String()),
  resolvedAt: Nullable(Timestamp),
});
export type AlertView = Static<typeof AlertView>;

export const ListAlertsQuery = Type.Object(
  {
    ...PageQueryFields,
    status: Type.Optional(AlertStatus),
    detector: Type.Optional(DetectorName),
    keyId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type ListAlertsQuery = Static<typeof ListAlertsQuery>;

/** Newest first. */
export const AlertPage = Page(AlertView);
export type AlertPage = Static<typeof AlertPage>;

const Window = Type.Integer({ minimum: 60_000, description: 'ms' });
const Count = Type.Integer({ minimum: 1 });
const strict = { additionalProperties: false };

const TrafficSpikeSettings = Type.Object(
  {
    enabled: Type.Boolean(),
    /** Recent window, whole minutes (default 5 min). */
    windowMs: Window,
    /** Hours of baseline before the window (default 24). */
    baselineHours: Count,
    /** Hours a key must have existed to have a baseline (default 6). */
    minBaselineHours: Count,
    /** k in mean + k·σ (default 4). */
    sigma: Type.Number({ minimum: 0.5 }),
    /** Verifications the window needs at least (default 100). */
    minCount: Count,
  },
  strict,
);
const IpSpreadSettings = Type.Object(
  { enabled: Type.Boolean(), windowMs: Window, maxDistinctIps: Count },
  strict,
);
const NewNetworkSettings = Type.Object(
  { enabled: Type.Boolean(), windowMs: Window, historyMs: Window, minHistoryEvents: Count },
  strict,
);
const BruteForceSettings = Type.Object(
  { enabled: Type.Boolean(), windowMs: Window, minInvalid: Count },
  strict,
);
const CreditsLowSettings = Type.Object(
  {
    enabled: Type.Boolean(),
    percent: Type.Number({ minimum: 0, maximum: 100 }),
    minRemaining: Type.Integer({ minimum: 0 }),
  },
  strict,
);
const KeyExpiringSettings = Type.Object({ enabled: Type.Boolean(), withinDays: Count }, strict);
const KeyUnusedSettings = Type.Object({ enabled: Type.Boolean(), days: Count }, strict);
const LeakedKeysSettings = Type.Object(
  { action: Type.Union([Type.Literal('disable'), Type.Literal('revoke'), Type.Literal('alert')]) },
  strict,
);

const ClientExposureSettings = Type.Object(
  { action: Type.Union([Type.Literal('alert'), Type.Literal('quarantine')]) },
  strict,
);

/** The workspace's monitoring settings: every detector, its thresholds, and which detectors quarantine keys. */
export const MonitoringPolicyView = Type.Object({
  trafficSpike: TrafficSpikeSettings,
  ipSpread: IpSpreadSettings,
  newNetwork: NewNetworkSettings,
  bruteForce: BruteForceSettings,
  creditsLow: CreditsLowSettings,
  keyExpiring: KeyExpiringSettings,
  keyUnused: KeyUnusedSettings,
  /** New alerts of these detectors disable their key (`disabledReason: "quarantined: …"`); re-enable the key to undo. */
  quarantine: Type.Array(QuarantineDetector),
  /** What a key reported leaked suffers (secret scanning): disable (default, reversible), revoke, or alert only. */
  leakedKeys: LeakedKeysSettings,
  /** What a secret key seen in a browser suffers: an alert (default), or quarantine (disabled, `disabledReason: "exposed_in_client"`). */
  clientExposure: ClientExposureSettings,
});
export type MonitoringPolicyView = Static<typeof MonitoringPolicyView>;

/** `PUT /v1/workspace/policy`: the whole policy; sections and fields left out take their defaults. */
export const MonitoringPolicyBody = Type.Object(
  {
    trafficSpike: Type.Optional(Type.Partial(TrafficSpikeSettings)),
    ipSpread: Type.Optional(Type.Partial(IpSpreadSettings)),
    newNetwork: Type.Optional(Type.Partial(NewNetworkSettings)),
    bruteForce: Type.Optional(Type.Partial(BruteForceSettings)),
    creditsLow: Type.Optional(Type.Partial(CreditsLowSettings)),
    keyExpiring: Type.Optional(Type.Partial(KeyExpiringSettings)),
    keyUnused: Type.Optional(Type.Partial(KeyUnusedSettings)),
    quarantine: Type.Optional(Type.Array(QuarantineDetector, { maxItems: 4, uniqueItems: true })),
    leakedKeys: Type.Optional(Type.Partial(LeakedKeysSettings)),
    clientExposure: Type.Optional(Type.Partial(ClientExposureSettings)),
  },
  strict,
);
export type MonitoringPolicyBody = Static<typeof MonitoringPolicyBody>;
