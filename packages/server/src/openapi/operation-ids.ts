/**
 * The `operationId` of every documented route, by `METHOD /path` (OpenAPI path syntax).
 * Client generators name their methods after these (`client.createKey(...)`), so they are
 * part of the API: never rename one, add new ones. A route missing here still gets an id
 * from `fallbackOperationId`, and a test fails until it is added.
 */
export const OPERATION_IDS: Readonly<Record<string, string>> = Object.freeze({
  'GET /healthz': 'getHealth',
  'GET /readyz': 'getReadiness',

  'POST /v1/apis': 'createApi',
  'GET /v1/apis': 'listApis',
  'GET /v1/apis/{id}': 'getApi',
  'PATCH /v1/apis/{id}': 'updateApi',
  'DELETE /v1/apis/{id}': 'deleteApi',
  'GET /v1/apis/{id}/policies/lifetime': 'getLifetimePolicy',
  'PUT /v1/apis/{id}/policies/lifetime': 'replaceLifetimePolicy',
  'DELETE /v1/apis/{id}/policies/lifetime': 'deleteLifetimePolicy',

  'POST /v1/consumers': 'createConsumer',
  'GET /v1/consumers': 'listConsumers',
  'GET /v1/consumers/{id}': 'getConsumer',
  'PATCH /v1/consumers/{id}': 'updateConsumer',
  'DELETE /v1/consumers/{id}': 'deleteConsumer',

  'POST /v1/keys': 'createKey',
  'GET /v1/keys': 'listKeys',
  'GET /v1/keys/{id}': 'getKey',
  'PATCH /v1/keys/{id}': 'updateKey',
  'DELETE /v1/keys/{id}': 'deleteKey',
  'POST /v1/keys/{id}/revoke': 'revokeKey',
  'POST /v1/keys/{id}/roll': 'rollKey',
  'GET /v1/keys/{id}/rotation': 'getKeyRotation',
  'POST /v1/keys/{id}/rotation/extend': 'extendKeyGrace',
  'POST /v1/keys/{id}/rotation/end': 'endKeyGrace',
  'POST /v1/keys/{id}/roles': 'attachKeyRoles',
  'DELETE /v1/keys/{id}/roles/{name}': 'detachKeyRole',
  'POST /v1/keys/verify': 'verifyKey',
  'POST /v1/keys/children': 'mintChildKey',
  'POST /v1/keys/import': 'importKeys',
  'POST /v1/keys/report-leak': 'reportLeakedKeys',
  'POST /v1/secret-scanning/github': 'receiveGithubSecretScanning',
  'GET /v1/keys/{id}/usage': 'getKeyUsage',

  'POST /v1/roles': 'createRole',
  'GET /v1/roles': 'listRoles',
  'GET /v1/roles/{id}': 'getRole',
  'PATCH /v1/roles/{id}': 'updateRole',
  'DELETE /v1/roles/{id}': 'deleteRole',

  'POST /v1/root-keys': 'createRootKey',
  'GET /v1/root-keys': 'listRootKeys',
  'GET /v1/root-keys/{id}': 'getRootKey',
  'POST /v1/root-keys/{id}/roll': 'rollRootKey',
  'POST /v1/root-keys/{id}/revoke': 'revokeRootKey',

  'GET /v1/audit-events': 'listAuditEvents',
  'GET /v1/audit-events/verify': 'verifyAuditEvents',

  'GET /v1/alerts': 'listAlerts',
  'GET /v1/alerts/{id}': 'getAlert',
  'POST /v1/alerts/{id}/acknowledge': 'acknowledgeAlert',
  'GET /v1/workspace/policy': 'getMonitoringPolicy',
  'PUT /v1/workspace/policy': 'replaceMonitoringPolicy',

  'POST /v1/webhooks': 'createWebhook',
  'GET /v1/webhooks': 'listWebhooks',
  'GET /v1/webhooks/{id}': 'getWebhook',
  'PATCH /v1/webhooks/{id}': 'updateWebhook',
  'DELETE /v1/webhooks/{id}': 'deleteWebhook',
  'POST /v1/webhooks/{id}/rotate-secret': 'rotateWebhookSecret',
  'GET /v1/webhooks/{id}/deliveries': 'listWebhookDeliveries',
  'POST /v1/webhooks/{id}/messages/{messageId}/retry': 'retryWebhookMessage',

  'GET /v1/usage': 'getUsage',

  'POST /v1/portal/sessions': 'createPortalSession',
  'GET /v1/apis/{id}/portal-policy': 'getPortalPolicy',
  'PUT /v1/apis/{id}/portal-policy': 'replacePortalPolicy',
  'GET /v1/apis/{id}/policies/publishable': 'getPublishablePolicy',
  'PUT /v1/apis/{id}/policies/publishable': 'replacePublishablePolicy',
  'GET /v1/apis/{id}/policies/child-keys': 'getChildKeyPolicy',
  'PUT /v1/apis/{id}/policies/child-keys': 'replaceChildKeyPolicy',
  'GET /v1/portal/branding': 'getPortalBranding',
  'PUT /v1/portal/branding': 'replacePortalBranding',

  // The dashboard's and the portal's own endpoints (cookie sessions, same origin).
  'POST /dashboard/api/session': 'signIn',
  'GET /dashboard/api/session': 'getDashboardSession',
  'DELETE /dashboard/api/session': 'signOut',
  'POST /portal/api/exchange': 'openPortalSession',
  'GET /portal/api/session': 'getPortalSession',
  'DELETE /portal/api/session': 'closePortalSession',
  'GET /portal/api/keys': 'listPortalKeys',
  'POST /portal/api/keys': 'createPortalKey',
  'POST /portal/api/keys/{id}/roll': 'rollPortalKey',
  'POST /portal/api/keys/{id}/revoke': 'revokePortalKey',
  'GET /portal/api/usage': 'getPortalUsage',
});

/** `/v1/keys/:id/roll` (Fastify) as `/v1/keys/{id}/roll` (OpenAPI). */
export const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** `GET /v1/foo/{id}/bar-baz` → `getV1FooIdBarBaz`: stable and unique, if not pretty. */
export const fallbackOperationId = (method: string, path: string): string =>
  [method.toLowerCase(), ...path.split(/[^A-Za-z0-9]+/).filter(Boolean)]
    .map((word, i) => (i === 0 ? word : `${word[0]?.toUpperCase() ?? ''}${word.slice(1)}`))
    .join('');

/** The `operationId` of a route. */
export const operationIdOf = (method: string, url: string): string => {
  const path = openApiPath(url);
  return OPERATION_IDS[`${method.toUpperCase()} ${path}`] ?? fallbackOperationId(method, path);
};
