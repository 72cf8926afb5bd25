import type {
  AlertPage,
  AlertView,
  ApiPage,
  ApiView,
  AttachRolesBody,
  AuditPage,
  AuditVerifyQuery,
  AuditVerifyResponse,
  ConsumerPage,
  ConsumerView,
  CreateApiBody,
  CreateConsumerBody,
  CreateKeyBody,
  CreateRoleBody,
  CreateRootKeyBody,
  CreateWebhookBody,
  ExtendGraceBody,
  HealthResponse,
  ImportKeysBody,
  ImportKeysResponse,
  IssuedKey,
  IssuedRootKey,
  KeyPage,
  KeyRotationView,
  KeyUsageView,
  KeyView,
  LifetimePolicyBody,
  LifetimePolicyView,
  ListAlertsQuery,
  ListApisQuery,
  ListAuditQuery,
  ListConsumersQuery,
  ListKeysQuery,
  ListRolesQuery,
  ListRootKeysQuery,
  MintChildKeyBody,
  MonitoringPolicyBody,
  MonitoringPolicyView,
  PageQuery,
  ReadinessResponse,
  ReportLeakBody,
  ReportLeakResponse,
  RolePage,
  RoleView,
  RollKeyBody,
  RootKeyPage,
  RootKeyView,
  UpdateApiBody,
  UpdateConsumerBody,
  UpdateKeyBody,
  UpdateRoleBody,
  UpdateWebhookBody,
  UsageQuery,
  UsageSeries,
  VerifyKeyBody,
  VerifyKeyResponse,
  WebhookDeliveryPage,
  WebhookPage,
  WebhookView,
  WebhookWithSecret,
} from '@keyward/protocol';
import { type CallOptions, createTransport, type TransportOptions } from './client-transport.js';

export type ClientOptions = TransportOptions;

/** Options of create calls. */
export interface CreateOptions {
  /** Replays the first answer when the same create is sent again within 24 h (safe retries). */
  idempotencyKey?: string;
}

/** CRUD of one admin resource; every type comes from the wire schemas the server validates with. */
export interface Resource<View, Page, Create, Update, Query> {
  create(body: Create, options?: CreateOptions): Promise<View>;
  list(query?: Query): Promise<Page>;
  get(id: string): Promise<View>;
  update(id: string, body: Update): Promise<View>;
  delete(id: string): Promise<void>;
}

export interface KeywardClient {
  apis: Resource<ApiView, ApiPage, CreateApiBody, UpdateApiBody, ListApisQuery>;
  /** `/v1/apis/{id}/policies/lifetime`: an API's key lifetime policy (max TTL, rotation, idle, reminders). */
  lifetimePolicies: {
    get(apiId: string): Promise<LifetimePolicyView>;
    /** Replaces the policy; left-out fields take their defaults. */
    put(apiId: string, body: LifetimePolicyBody): Promise<LifetimePolicyView>;
    delete(apiId: string): Promise<void>;
  };
  consumers: Resource<ConsumerView, ConsumerPage, CreateConsumerBody, UpdateConsumerBody, ListConsumersQuery>;
  roles: Resource<RoleView, RolePage, CreateRoleBody, UpdateRoleBody, ListRolesQuery>;
  keys: Omit<Resource<KeyView, KeyPage, CreateKeyBody, UpdateKeyBody, ListKeysQuery>, 'create'> & {
    /** Issues a key; the answer holds the plaintext `key`, shown this once. */
    create(body: CreateKeyBody, options?: CreateOptions): Promise<IssuedKey>;
    /** Verifies a key (`POST /v1/keys/verify`): HTTP 200 whatever the outcome; read `valid` and `code`. */
    verify(body: VerifyKeyBody): Promise<VerifyKeyResponse>;
    /** Revokes at once (idempotent). */
    revoke(id: string): Promise<KeyView>;
    /** Issues a new secret; the old one keeps verifying for `gracePeriodMs`. */
    roll(id: string, body?: RollKeyBody): Promise<IssuedKey>;
    /** The latest roll and who still uses the old secret (`GET /v1/keys/{id}/rotation`). */
    rotation(id: string): Promise<KeyRotationView>;
    /** Moves the end of the running grace period later. */
    extendGrace(id: string, body: ExtendGraceBody): Promise<KeyRotationView>;
    /** Ends the grace period now: the old secrets stop verifying. */
    endGrace(id: string): Promise<KeyRotationView>;
    /**
     * Mints a short-lived child of `parentKey` (`POST /v1/keys/children`), authenticated by that
     * key itself, not by the root key: never more permissions, a later expiry or other limits
     * than the parent's; the answer holds the child's plaintext `key`, shown this once.
     *
     * @example const child = await keyward.keys.mintChild({ parentKey, permissions: ['sessions:read'], expiresIn: 900 });
     */
    mintChild(request: MintChildKeyBody & { parentKey: string }): Promise<IssuedKey>;
    /** Imports keys from another system: all or none. */
    import(body: ImportKeysBody): Promise<ImportKeysResponse>;
    /** Reports keys found exposed: each is acted on by the workspace's `leakedKeys` policy. */
    reportLeak(body: ReportLeakBody): Promise<ReportLeakResponse>;
    attachRoles(id: string, body: AttachRolesBody): Promise<KeyView>;
    detachRole(id: string, role: string): Promise<KeyView>;
  };
  rootKeys: {
    create(body: CreateRootKeyBody, options?: CreateOptions): Promise<IssuedRootKey>;
    list(query?: ListRootKeysQuery): Promise<RootKeyPage>;
    get(id: string): Promise<RootKeyView>;
    /** Issues a new secret; the old one stops working at once. */
    roll(id: string): Promise<IssuedRootKey>;
    revoke(id: string): Promise<RootKeyView>;
  };
  audit: {
    /** `GET /v1/audit-events`: admin actions, oldest first. */
    list(query?: ListAuditQuery): Promise<AuditPage>;
    /** `GET /v1/audit-events/verify`: checks the log's hash chain. */
    verify(query?: AuditVerifyQuery): Promise<AuditVerifyResponse>;
  };
  alerts: {
    /** Newest first. */
    list(query?: ListAlertsQuery): Promise<AlertPage>;
    get(id: string): Promise<AlertView>;
    acknowledge(id: string): Promise<AlertView>;
    /** `GET` / `PUT /v1/workspace/policy`: detector settings and quarantine. */
    policy(): Promise<MonitoringPolicyView>;
    setPolicy(body: MonitoringPolicyBody): Promise<MonitoringPolicyView>;
  };
  webhooks: Omit<
    Resource<WebhookView, WebhookPage, CreateWebhookBody, UpdateWebhookBody, PageQuery>,
    'create'
  > & {
    /** The answer holds the signing secret (`whsec_…`), shown this once. */
    create(body: CreateWebhookBody, options?: CreateOptions): Promise<WebhookWithSecret>;
    rotateSecret(id: string): Promise<WebhookWithSecret>;
    /** Delivery attempts, newest first. */
    deliveries(id: string, query?: PageQuery): Promise<WebhookDeliveryPage>;
  };
  usage: {
    /** `GET /v1/usage`: verifications over time (JSON; for CSV call the endpoint with `Accept: text/csv`). */
    query(query?: Omit<UsageQuery, 'format'>): Promise<UsageSeries>;
    /** `GET /v1/keys/:id/usage`: a key's last use and request counts. */
    key(id: string): Promise<KeyUsageView>;
  };
  /** `GET /healthz`: the process is up. */
  health(): Promise<HealthResponse>;
  /** `GET /readyz`: every dependency answers (a 503 problem with `checks` otherwise). */
  ready(): Promise<ReadinessResponse>;
}

const segment = (id: string): string => {
  if (id.length === 0) throw new TypeError('keyward client: an id must not be empty');
  return encodeURIComponent(id);
};

const createOptions = (body: unknown, options: CreateOptions | undefined): CallOptions => ({
  body,
  idempotencyKey: options?.idempotencyKey,
});

type Query = CallOptions['query'];

/**
 * A typed client for keyward's admin and verify APIs. Errors are `KeywardApiError`s
 * carrying the problem details; keys travel only in JSON bodies, the root key only in the
 * Authorization header.
 *
 * @example
 * const keyward = createClient({ baseUrl: 'http://127.0.0.1:8787', rootKey: process.env.KEYWARD_ROOT_KEY ?? '' });
 * const { key } = await keyward.keys.create({ apiId, permissions: ['stations:read'] });
 * const { valid, code } = await keyward.keys.verify({ key, permissions: 'stations:read' });
 */
export function createClient(options: ClientOptions): KeywardClient {
  const call = createTransport(options);
  const resource = <View, Page, Create, Update, Q>(
    path: string,
  ): Resource<View, Page, Create, Update, Q> => ({
    create: (body, opts) => call<View>('POST', path, createOptions(body, opts)),
    list: (query) => call<Page>('GET', path, { query: query as Query }),
    get: (id) => call<View>('GET', `${path}/${segment(id)}`),
    update: (id, body) => call<View>('PATCH', `${path}/${segment(id)}`, { body }),
    delete: (id) => call<void>('DELETE', `${path}/${segment(id)}`),
  });
  const keys = resource<KeyView, KeyPage, CreateKeyBody, UpdateKeyBody, ListKeysQuery>('/v1/keys');

  return {
    apis: resource('/v1/apis'),
    lifetimePolicies: {
      get: (apiId) => call<LifetimePolicyView>('GET', `/v1/apis/${segment(apiId)}/policies/lifetime`),
      put: (apiId, body) =>
        call<LifetimePolicyView>('PUT', `/v1/apis/${segment(apiId)}/policies/lifetime`, { body }),
      delete: (apiId) => call<void>('DELETE', `/v1/apis/${segment(apiId)}/policies/lifetime`),
    },
    consumers: resource('/v1/consumers'),
    roles: resource('/v1/roles'),
    keys: {
      ...keys,
      create: (body, opts) => call<IssuedKey>('POST', '/v1/keys', createOptions(body, opts)),
      verify: (body) => call<VerifyKeyResponse>('POST', '/v1/keys/verify', { body }),
      revoke: (id) => call<KeyView>('POST', `/v1/keys/${segment(id)}/revoke`),
      roll: (id, body = {}) => call<IssuedKey>('POST', `/v1/keys/${segment(id)}/roll`, { body }),
      rotation: (id) => call<KeyRotationView>('GET', `/v1/keys/${segment(id)}/rotation`),
      extendGrace: (id, body) =>
        call<KeyRotationView>('POST', `/v1/keys/${segment(id)}/rotation/extend`, { body }),
      endGrace: (id) => call<KeyRotationView>('POST', `/v1/keys/${segment(id)}/rotation/end`),
      mintChild: ({ parentKey, ...body }) =>
        call<IssuedKey>('POST', '/v1/keys/children', { body, bearer: parentKey }),
      import: (body) => call<ImportKeysResponse>('POST', '/v1/keys/import', { body }),
      reportLeak: (body) => call<ReportLeakResponse>('POST', '/v1/keys/report-leak', { body }),
      attachRoles: (id, body) => call<KeyView>('POST', `/v1/keys/${segment(id)}/roles`, { body }),
      detachRole: (id, role) => call<KeyView>('DELETE', `/v1/keys/${segment(id)}/roles/${segment(role)}`),
    },
    rootKeys: {
      create: (body, opts) => call<IssuedRootKey>('POST', '/v1/root-keys', createOptions(body, opts)),
      list: (query) => call<RootKeyPage>('GET', '/v1/root-keys', { query: query as Query }),
      get: (id) => call<RootKeyView>('GET', `/v1/root-keys/${segment(id)}`),
      roll: (id) => call<IssuedRootKey>('POST', `/v1/root-keys/${segment(id)}/roll`),
      revoke: (id) => call<RootKeyView>('POST', `/v1/root-keys/${segment(id)}/revoke`),
    },
    audit: {
      list: (query) => call<AuditPage>('GET', '/v1/audit-events', { query: query as Query }),
      verify: (query) =>
        call<AuditVerifyResponse>('GET', '/v1/audit-events/verify', { query: query as Query }),
    },
    alerts: {
      list: (query) => call<AlertPage>('GET', '/v1/alerts', { query: query as Query }),
      get: (id) => call<AlertView>('GET', `/v1/alerts/${segment(id)}`),
      acknowledge: (id) => call<AlertView>('POST', `/v1/alerts/${segment(id)}/acknowledge`),
      policy: () => call<MonitoringPolicyView>('GET', '/v1/workspace/policy'),
      setPolicy: (body) => call<MonitoringPolicyView>('PUT', '/v1/workspace/policy', { body }),
    },
    webhooks: {
      ...resource<WebhookView, WebhookPage, CreateWebhookBody, UpdateWebhookBody, PageQuery>('/v1/webhooks'),
      create: (body, opts) => call<WebhookWithSecret>('POST', '/v1/webhooks', createOptions(body, opts)),
      rotateSecret: (id) => call<WebhookWithSecret>('POST', `/v1/webhooks/${segment(id)}/rotate-secret`),
      deliveries: (id, query) =>
        call<WebhookDeliveryPage>('GET', `/v1/webhooks/${segment(id)}/deliveries`, { query: query as Query }),
    },
    usage: {
      query: (query) => call<UsageSeries>('GET', '/v1/usage', { query: query as Query }),
      key: (id) => call<KeyUsageView>('GET', `/v1/keys/${segment(id)}/usage`),
    },
    health: () => call<HealthResponse>('GET', '/healthz'),
    ready: () => call<ReadinessResponse>('GET', '/readyz'),
  };
}

export { KeywardApiError } from './api-error.js';
