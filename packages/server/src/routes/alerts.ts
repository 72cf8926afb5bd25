import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AlertPage,
  AlertView,
  IdParams,
  ListAlertsQuery,
  MonitoringPolicyBody,
  MonitoringPolicyView,
} from '@keyward/protocol';
import { acknowledgeAlert, getAlert, getPolicy, listAlerts, putPolicy } from '../services/alerts.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY, type RouteContext } from './route-kit.js';

const tags = ['Alerts'];
const security = ROOT_KEY_SECURITY;

/** `/v1/alerts` (what the detectors found) and `/v1/workspace/policy` (how they are set up, and what quarantines a key). */
export const alertRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    app.get(
      '/v1/alerts',
      {
        config: { permission: 'alerts:read' },
        schema: {
          tags,
          security,
          summary: 'List alerts, newest first',
          querystring: ListAlertsQuery,
          response: { 200: AlertPage, ...PROBLEM_RESPONSES },
        },
      },
      (request) => listAlerts(deps, actorOf(request), request.query),
    );
    app.get(
      '/v1/alerts/:id',
      {
        config: { permission: 'alerts:read' },
        schema: {
          tags,
          security,
          summary: 'Get an alert with its evidence',
          params: IdParams,
          response: { 200: AlertView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getAlert(deps, actorOf(request), request.params.id),
    );
    app.post(
      '/v1/alerts/:id/acknowledge',
      {
        config: { permission: 'alerts:write' },
        schema: {
          tags,
          security,
          summary: 'Acknowledge an alert (it stays active until its condition clears)',
          params: IdParams,
          response: { 200: AlertView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => acknowledgeAlert(deps, actorOf(request), request.params.id),
    );
    app.get(
      '/v1/workspace/policy',
      {
        config: { permission: 'alerts:read' },
        schema: {
          tags,
          security,
          summary: 'Get the monitoring policy (detector settings and quarantine)',
          response: { 200: MonitoringPolicyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getPolicy(deps, actorOf(request)),
    );
    app.put(
      '/v1/workspace/policy',
      {
        config: { permission: 'alerts:write' },
        schema: {
          tags,
          security,
          summary: 'Replace the monitoring policy (left-out settings take their defaults)',
          body: MonitoringPolicyBody,
          response: { 200: MonitoringPolicyView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => putPolicy(deps, actorOf(request), request.body),
    );
  };
