import { randomBytes } from 'node:crypto';
import type {
  Api,
  AuditEvent,
  Consumer,
  KeyRecord,
  Role,
  RootKey,
  Workspace,
} from '../../contracts/model.js';
import type { Store } from '../../contracts/store.js';
import { newId } from '../../keys/ids.js';

/** Builders of valid records for the conformance suite; every call yields fresh ids and digests. */

export const T0 = 1_700_000_000_000;

export type GetStore = () => Store;

export const digest = (): string => randomBytes(32).toString('hex');

export const workspace = (over: Partial<Workspace> = {}): Workspace => ({
  id: newId('ws'),
  name: 'Acme',
  createdAt: T0,
  ...over,
});

export const api = (workspaceId: string, over: Partial<Api> = {}): Api => ({
  id: newId('api'),
  workspaceId,
  name: 'Charging API',
  prefix: 'amp_live',
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export const consumer = (workspaceId: string, over: Partial<Consumer> = {}): Consumer => ({
  id: newId('con'),
  workspaceId,
  externalId: `cust_${randomBytes(4).toString('hex')}`,
  name: 'Ionity',
  meta: { plan: 'pro', seats: 3 },
  ratelimits: [{ name: 'requests', limit: 100, duration: 60_000, algorithm: 'sliding_window' }],
  credits: { refill: { interval: 'monthly', amount: 1000, day: 1 } },
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export const role = (workspaceId: string, over: Partial<Role> = {}): Role => ({
  id: newId('role'),
  workspaceId,
  name: `role_${randomBytes(4).toString('hex')}`,
  description: 'reads sessions',
  permissions: ['sessions:read', 'chargers:*'],
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export const key = (workspaceId: string, apiId: string, over: Partial<KeyRecord> = {}): KeyRecord => ({
  id: newId('key'),
  workspaceId,
  apiId,
  consumerId: null,
  digest: digest(),
  hint: 'amp_live_Ab3x…9fQ2',
  name: 'backend',
  meta: { team: 'ops', nested: { list: [1, 'two', null] } },
  permissions: ['sessions:read'],
  roles: ['reader'],
  ratelimits: [{ name: 'burst', limit: 10, duration: 1_000, algorithm: 'token_bucket' }],
  credits: { refill: { interval: 86_400_000, amount: 50 } },
  allowedIps: ['10.0.0.0/8', '2001:db8::/32'],
  environment: 'live',
  enabled: true,
  disabledReason: null,
  expiresAt: T0 + 3_600_000,
  revokedAt: null,
  imported: false,
  kind: 'secret',
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export const rootKey = (workspaceId: string, over: Partial<RootKey> = {}): RootKey => ({
  id: newId('rk'),
  workspaceId,
  digest: digest(),
  hint: 'kw_root_Zx9a…Q1w2',
  name: 'ci',
  permissions: ['keys:write', 'keys:read'],
  revokedAt: null,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export const auditEvent = (workspaceId: string, over: Partial<AuditEvent> = {}): AuditEvent => ({
  id: newId('evt'),
  workspaceId,
  actor: 'rk_admin',
  action: 'key.create',
  targetType: 'key',
  targetId: 'key_1',
  before: null,
  after: { id: 'key_1', name: 'backend' },
  ip: '203.0.113.7',
  requestId: 'req_1',
  createdAt: T0,
  ...over,
});

/** A workspace with one API, stored. */
export async function seedTenant(store: Store): Promise<{ ws: Workspace; api: Api }> {
  const ws = workspace();
  const first = api(ws.id);
  await store.workspaces.create(ws);
  await store.apis.create(first);
  return { ws, api: first };
}

/** Resolves to the `KeywardError` code and field a promise rejects with (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<{ code: unknown; field: unknown }> {
  try {
    await promise;
  } catch (error) {
    const { code, field } = error as { code?: unknown; field?: unknown };
    return { code, field };
  }
  throw new Error('expected a rejection');
}
