import { type Static, Type } from '@sinclair/typebox';
import { Id, LIMITS, Nullable, Timestamp } from './common.js';

const Count = Type.Integer({ minimum: 0 });

/** One client (an address or a user agent) that presented a credential. */
export const RotationClient = Type.Object({
  value: Type.String({ description: 'The IP address or User-Agent' }),
  requests: Count,
  lastSeen: Timestamp,
});
export type RotationClient = Static<typeof RotationClient>;

/** The clients of one credential: a bounded set (100 addresses, 20 user agents are kept). */
export const RotationClients = Type.Object({
  distinct: Type.Integer({ minimum: 0, description: 'Distinct values kept' }),
  capped: Type.Boolean({ description: 'The set is full: more distinct values may have been seen' }),
  recent: Type.Array(RotationClient, { description: 'Most recently seen first (at most 20)' }),
});
export type RotationClients = Static<typeof RotationClients>;

/** What one secret of the roll did since the roll. */
export const CredentialUsageView = Type.Object({
  requests: Type.Integer({ minimum: 0, description: 'Verifications, whatever their outcome' }),
  valid: Count,
  firstSeen: Timestamp,
  lastSeen: Timestamp,
  ips: RotationClients,
  userAgents: RotationClients,
});
export type CredentialUsageView = Static<typeof CredentialUsageView>;

export const KeyRotationView = Type.Object({
  keyId: Id,
  /** `none`: never rolled; `grace`: the old secret still verifies; `ended`: it no longer does. */
  state: Type.Union([Type.Literal('none'), Type.Literal('grace'), Type.Literal('ended')]),
  /** When the latest roll happened (null: never rolled, or rolled before rotation telemetry existed). */
  rolledAt: Nullable(Timestamp),
  /** Until when the old secret of the latest roll verifies (null: never rolled). */
  graceUntil: Nullable(Timestamp),
  /** Older rolls whose old secret still verifies too. */
  olderInGrace: Count,
  /** The old secret's use since the roll (null: not used, or no usage store). */
  previous: Nullable(CredentialUsageView),
  /** The new secret's use during the grace period (null: not used, or no usage store). */
  current: Nullable(CredentialUsageView),
});
export type KeyRotationView = Static<typeof KeyRotationView>;

const maxGraceSeconds = LIMITS.maxGracePeriodMs / 1000;

/** Exactly one of the two: a new deadline, or seconds added to the current one (at most 30 days from now). */
export const ExtendGraceBody = Type.Object(
  {
    graceUntil: Type.Optional(Timestamp),
    extendBySeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: maxGraceSeconds })),
  },
  { additionalProperties: false },
);
export type ExtendGraceBody = Static<typeof ExtendGraceBody>;
