import type { Kysely } from 'kysely';
import type { UsageEvent } from '../contracts/usage-sink.js';
import type { UsageDatabase } from './usage-schema.js';

/**
 * Rotation telemetry (migration `0012_rotation_telemetry`): per key, roll and credential
 * (`current` or `previous`, see `UsageEvent.credential`), the verifications with their first
 * and last time, and bounded sets of the client addresses and user agents that presented
 * it. Written by the usage stores in the same transaction as the rest of a batch.
 */

export type Credential = 'current' | 'previous';
export type ClientKind = 'ip' | 'ua';

/** Distinct values kept per key, roll, credential and kind; later new values are only counted as "more". */
export const CLIENT_CAPS: Readonly<Record<ClientKind, number>> = Object.freeze({ ip: 100, ua: 20 });

/** One increment of `key_credential_usage`. */
export interface CredentialUsageDelta {
  keyId: string;
  rolledAt: number;
  credential: Credential;
  workspaceId: string;
  requests: number;
  valid: number;
  firstSeen: number;
  lastSeen: number;
}

/** One increment of `key_credential_clients` (one address or user agent). */
export interface CredentialClientDelta {
  keyId: string;
  rolledAt: number;
  credential: Credential;
  kind: ClientKind;
  value: string;
  workspaceId: string;
  requests: number;
  lastSeen: number;
}

export interface CredentialDeltas {
  /** Sorted by primary key (key, roll, credential). */
  credentials: CredentialUsageDelta[];
  /** Sorted by primary key (key, roll, credential, kind, value). */
  clients: CredentialClientDelta[];
}

const compare = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);

/** The per-credential increments of a batch's events (events without `credential` add nothing). Pure. */
export function aggregateCredentials(events: readonly UsageEvent[]): CredentialDeltas {
  const credentials = new Map<string, CredentialUsageDelta>();
  const clients = new Map<string, CredentialClientDelta>();
  const client = (base: CredentialUsageDelta, kind: ClientKind, value: string, time: number) => {
    const id = `${base.keyId}\u0000${base.rolledAt}\u0000${base.credential}\u0000${kind}\u0000${value}`;
    const found = clients.get(id);
    if (found === undefined) {
      const { keyId, rolledAt, credential, workspaceId } = base;
      clients.set(id, { keyId, rolledAt, credential, kind, value, workspaceId, requests: 1, lastSeen: time });
    } else {
      found.requests += 1;
      if (time > found.lastSeen) found.lastSeen = time;
    }
  };
  for (const event of events) {
    const { credential, rolledAt, keyId, workspaceId } = event ?? {};
    if (credential !== 'current' && credential !== 'previous') continue;
    if (typeof keyId !== 'string' || typeof workspaceId !== 'string') continue;
    if (typeof rolledAt !== 'number' || !Number.isSafeInteger(rolledAt)) continue;
    if (typeof event.time !== 'number' || !Number.isFinite(event.time) || event.time < 0) continue;
    const time = Math.trunc(event.time);
    const id = `${keyId}\u0000${rolledAt}\u0000${credential}`;
    let delta = credentials.get(id);
    if (delta === undefined) {
      delta = {
        keyId,
        rolledAt,
        credential,
        workspaceId,
        requests: 0,
        valid: 0,
        firstSeen: time,
        lastSeen: time,
      };
      credentials.set(id, delta);
    }
    delta.requests += 1;
    if (event.code === 'VALID') delta.valid += 1;
    if (time < delta.firstSeen) delta.firstSeen = time;
    if (time > delta.lastSeen) delta.lastSeen = time;
    if (typeof event.ip === 'string' && event.ip !== '') client(delta, 'ip', event.ip, time);
    if (typeof event.userAgent === 'string' && event.userAgent !== '')
      client(delta, 'ua', event.userAgent.slice(0, 256), time);
  }
  const byCredential = (a: CredentialUsageDelta, b: CredentialUsageDelta) =>
    compare(a.keyId, b.keyId) || a.rolledAt - b.rolledAt || compare(a.credential, b.credential);
  return {
    credentials: [...credentials.values()].sort(byCredential),
    clients: [...clients.values()].sort(
      (a, b) =>
        compare(a.keyId, b.keyId) ||
        a.rolledAt - b.rolledAt ||
        compare(a.credential, b.credential) ||
        compare(a.kind, b.kind) ||
        compare(a.value, b.value),
    ),
  };
}

export const CREDENTIAL_USAGE_COLUMNS =
  'key_id, rolled_at, credential, workspace_id, requests, valid, first_seen, last_seen';

export const CREDENTIAL_USAGE_CONFLICT =
  'on conflict (key_id, rolled_at, credential) do update set ' +
  'requests = key_credential_usage.requests + excluded.requests, ' +
  'valid = key_credential_usage.valid + excluded.valid, ' +
  'first_seen = case when excluded.first_seen < key_credential_usage.first_seen then excluded.first_seen else key_credential_usage.first_seen end, ' +
  'last_seen = case when excluded.last_seen > key_credential_usage.last_seen then excluded.last_seen else key_credential_usage.last_seen end';

export const CREDENTIAL_CLIENT_COLUMNS =
  'key_id, rolled_at, credential, kind, value, workspace_id, requests, last_seen';

export const CREDENTIAL_CLIENT_CONFLICT =
  'on conflict (key_id, rolled_at, credential, kind, value) do update set ' +
  'requests = key_credential_clients.requests + excluded.requests, ' +
  'last_seen = case when excluded.last_seen > key_credential_clients.last_seen then excluded.last_seen else key_credential_clients.last_seen end';

/** SQL: the cap of the kind in column `kind` of relation `r`. */
export const capOf = (r: string): string =>
  `(case when ${r}.kind = 'ip' then ${CLIENT_CAPS.ip} else ${CLIENT_CAPS.ua} end)`;

/** SQL: values stored for the group of relation `r`'s row. */
export const storedCount = (r: string): string =>
  `(select count(*) from key_credential_clients c where c.key_id = ${r}.key_id and c.rolled_at = ${r}.rolled_at and c.credential = ${r}.credential and c.kind = ${r}.kind)`;

/** SQL: relation `r`'s value is stored already. */
export const isStored = (r: string): string =>
  `exists (select 1 from key_credential_clients c where c.key_id = ${r}.key_id and c.rolled_at = ${r}.rolled_at and c.credential = ${r}.credential and c.kind = ${r}.kind and c.value = ${r}.value)`;

/** Clients seen with one credential: how many distinct values are stored, whether the cap was reached, the latest. */
export interface CredentialClients {
  /** Distinct values stored (at most the cap). */
  distinct: number;
  /** The cap was reached: more distinct values may have been seen than `distinct`. */
  capped: boolean;
  /** Most recently seen first (at most 20). */
  recent: { value: string; requests: number; lastSeen: number }[];
}

/** What one credential of one roll did. */
export interface CredentialUsage {
  credential: Credential;
  /** Verifications, whatever their outcome. */
  requests: number;
  valid: number;
  firstSeen: number;
  lastSeen: number;
  ips: CredentialClients;
  userAgents: CredentialClients;
}

/** Values of `recent` returned per kind. */
const RECENT = 20;

/** Per-credential usage of one roll of one key of the workspace (absent credentials: never presented). */
export async function readCredentialUsage(
  db: Kysely<UsageDatabase>,
  workspaceId: string,
  keyId: string,
  rolledAt: number,
): Promise<CredentialUsage[]> {
  const rows = await db
    .selectFrom('key_credential_usage')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('key_id', '=', keyId)
    .where('rolled_at', '=', rolledAt)
    .orderBy('credential')
    .execute();
  if (rows.length === 0) return [];
  const clientRows = await db
    .selectFrom('key_credential_clients')
    .select(['credential', 'kind', 'value', 'requests', 'last_seen'])
    .where('workspace_id', '=', workspaceId)
    .where('key_id', '=', keyId)
    .where('rolled_at', '=', rolledAt)
    .execute();
  const clientsOf = (credential: string, kind: ClientKind): CredentialClients => {
    const mine = clientRows
      .filter((row) => row.credential === credential && row.kind === kind)
      .map((row) => ({ value: row.value, requests: Number(row.requests), lastSeen: Number(row.last_seen) }))
      .sort((a, b) => b.lastSeen - a.lastSeen || compare(a.value, b.value));
    return { distinct: mine.length, capped: mine.length >= CLIENT_CAPS[kind], recent: mine.slice(0, RECENT) };
  };
  return rows.map((row) => ({
    credential: row.credential as Credential,
    requests: Number(row.requests),
    valid: Number(row.valid),
    firstSeen: Number(row.first_seen),
    lastSeen: Number(row.last_seen),
    ips: clientsOf(row.credential, 'ip'),
    userAgents: clientsOf(row.credential, 'ua'),
  }));
}
