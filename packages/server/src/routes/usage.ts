import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isKeywardError, KeywardError, type Store } from '@keyward/core';
import type { KeyUsage, UsageEventStore, UsageSeries } from '@keyward/core/usage';
import {
  IdParams,
  KeyUsageView,
  UsageQuery,
  type UsageQuery as UsageQueryType,
  UsageSeries as UsageSeriesSchema,
} from '@keyward/protocol';
import type { FastifyRequest } from 'fastify';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY } from './route-kit.js';

export interface UsageRouteDeps {
  /** Where the recorder writes (the same database as `store`). */
  usage: UsageEventStore;
  /** To answer 404 for a key the workspace does not have. */
  store: Store;
  /** Clock in epoch ms (the default `to`). */
  now: () => number;
}

const HOUR = 3_600_000;
/** The window shown when `from` is absent: one that a chart of that granularity fills. */
const DEFAULT_WINDOW_MS = { minute: HOUR, hour: 24 * HOUR, day: 30 * 24 * HOUR } as const;

/** A series for the caller's workspace; store validation errors name the query field. */
export async function queryUsage(
  deps: UsageRouteDeps,
  workspaceId: string,
  query: UsageQueryType,
): Promise<UsageSeries> {
  const granularity = query.granularity ?? 'hour';
  const to = query.to ?? deps.now();
  const from = query.from ?? Math.max(0, to - DEFAULT_WINDOW_MS[granularity]);
  try {
    return await deps.usage.query({
      workspaceId,
      from,
      to,
      granularity,
      ...(query.apiId === undefined ? {} : { apiId: query.apiId }),
      ...(query.keyId === undefined ? {} : { keyId: query.keyId }),
      ...(query.consumerId === undefined ? {} : { consumerId: query.consumerId }),
      ...(query.parentKeyId === undefined ? {} : { parentKeyId: query.parentKeyId }),
      ...(query.groupBy === undefined ? {} : { groupBy: query.groupBy }),
    });
  } catch (error) {
    if (isKeywardError(error) && error.code === 'VALIDATION' && error.field !== undefined) {
      const field = `querystring.${error.field}`;
      throw new KeywardError('VALIDATION', `${field}: ${error.message}`, { field, cause: error });
    }
    throw error;
  }
}

/** The public view of a key's totals; zeros for a key never verified. */
export const keyUsageView = (keyId: string, usage: KeyUsage | undefined): KeyUsageView => ({
  keyId,
  lastUsedAt: usage?.lastUsedAt ?? null,
  lastValidAt: usage?.lastValidAt ?? null,
  requests: usage?.requests ?? 0,
  valid: usage?.valid ?? 0,
});

/** One CSV field (RFC 4180), defused against spreadsheet formula injection. */
const csvField = (value: string | number | null | undefined): string => {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

const GROUP_FIELD = { outcome: 'outcome', key: 'keyId', consumer: 'consumerId' } as const;

/** `start` as ISO 8601 UTC, the group value when grouped, then `count`. */
export function usageCsv(series: UsageSeries, groupBy: UsageQueryType['groupBy']): string {
  const group = groupBy === undefined ? null : GROUP_FIELD[groupBy];
  const lines = [['start', ...(group === null ? [] : [group]), 'count'].join(',')];
  for (const point of series.series) {
    const cells = [new Date(point.start).toISOString()];
    if (group !== null) cells.push(csvField(point[group]));
    cells.push(String(point.count));
    lines.push(cells.join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

const wantsCsv = (request: FastifyRequest<{ Querystring: UsageQueryType }>): boolean => {
  if (request.query.format !== undefined) return request.query.format === 'csv';
  return /(^|,)\s*text\/csv\b/i.test(request.headers.accept ?? '');
};

/**
 * `GET /v1/usage` (time series of verifications, JSON or CSV) and `GET /v1/keys/:id/usage`
 * (a key's `lastUsedAt` and request counts). Both need `usage:read` and read the caller's
 * workspace only; analytics come from the rollups, never a scan of raw events.
 */
export const usageRoutes =
  (deps: UsageRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/usage',
      {
        config: { permission: 'usage:read' },
        schema: {
          tags: ['Usage'],
          security: ROOT_KEY_SECURITY,
          summary:
            'Verifications over time, by outcome, key or consumer (JSON, or CSV with Accept: text/csv)',
          querystring: UsageQuery,
          response: {
            200: {
              description:
                'The series; as CSV (start, group value, count) with `Accept: text/csv` or `format=csv`',
              content: {
                'application/json': { schema: UsageSeriesSchema },
                'text/csv': { schema: { type: 'string' } },
              },
            },
            ...PROBLEM_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const series = await queryUsage(deps, actorOf(request).workspaceId, request.query);
        if (!wantsCsv(request)) return series;
        const name = `usage-${series.granularity}-${new Date(series.from).toISOString().slice(0, 10)}.csv`;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(usageCsv(series, request.query.groupBy));
      },
    );

    app.get(
      '/v1/keys/:id/usage',
      {
        config: { permission: 'usage:read' },
        schema: {
          tags: ['Usage'],
          security: ROOT_KEY_SECURITY,
          summary: "A key's last use and request counts",
          params: IdParams,
          response: { 200: KeyUsageView, ...PROBLEM_RESPONSES },
        },
      },
      async (request) => {
        const { workspaceId } = actorOf(request);
        const { id } = request.params;
        if ((await deps.store.keys.get(workspaceId, id)) === null) {
          throw new KeywardError('NOT_FOUND', 'key not found');
        }
        const found = await deps.usage.keyUsage(workspaceId, [id]);
        return keyUsageView(id, found.get(id));
      },
    );
  };
