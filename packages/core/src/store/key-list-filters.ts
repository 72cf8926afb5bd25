import { type ExpressionBuilder, type SelectQueryBuilder, sql } from 'kysely';
import { KeywardError } from '../contracts/errors.js';
import type { KeyListQuery, KeyState } from '../contracts/store.js';
import type { StoreContext } from './context.js';
import type { Database } from './schema.js';

type KeysQuery<O> = SelectQueryBuilder<Database, 'keys', O>;
type KeysExpression = ExpressionBuilder<Database, 'keys'>;

export const MAX_SEARCH_LENGTH = 200;

/** `%`, `_` and the escape character itself match literally in a LIKE pattern. */
const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The state filter, written as `keyStatus` decides (revoked, then expired, then disabled).
 * Revoked and disabled keys are found through the partial indexes of `0007b_key_search`.
 */
function stateFilter(ctx: StoreContext, state: KeyState, at: number) {
  return (eb: KeysExpression) => {
    const live = eb.and([
      eb('revoked_at', 'is', null),
      eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]),
    ]);
    switch (state) {
      case 'revoked':
        return eb('revoked_at', 'is not', null);
      case 'expired':
        return eb.and([eb('revoked_at', 'is', null), eb('expires_at', '<=', at)]);
      // Literals, not parameters: the planner matches them against the partial index `keys_disabled`.
      case 'disabled':
        return eb.and([live, eb('enabled', '=', sql.lit(ctx.bool(false)))]);
      case 'active':
        return eb.and([live, eb('enabled', '=', sql.lit(ctx.bool(true)))]);
    }
  };
}

/**
 * Name, hint or the consumer's external id containing `search` (any case: SQLite's LIKE
 * ignores ASCII case, PostgreSQL's lower() any case), or the key id itself. A substring
 * match cannot use a b-tree seek, so it scans: the caller runs it on the covering index
 * `keys_list` (see `0007b_key_search`) in page order and stops after one page of matches.
 */
function searchFilter(ctx: StoreContext, workspaceId: string, search: string) {
  // SQLite's LIKE ignores ASCII case by itself; on PostgreSQL lower() + LIKE is cheaper than ILIKE.
  const pattern = likePattern(ctx.dialect === 'postgres' ? search.toLowerCase() : search);
  const matches = (column: string) =>
    ctx.dialect === 'postgres'
      ? sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`
      : sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
  return (eb: KeysExpression) =>
    eb.or([
      eb('id', '=', search),
      matches('name'),
      matches('hint'),
      eb(
        'consumer_id',
        'in',
        eb
          .selectFrom('consumers')
          .select('consumers.id')
          .where('consumers.workspace_id', '=', workspaceId)
          .where(matches('consumers.external_id')),
      ),
    ]);
}

/** Applies the optional filters and the page's bound of a key listing (not the order or limit). */
export function applyKeyFilters<O>(
  ctx: StoreContext,
  qb: KeysQuery<O>,
  workspaceId: string,
  query: KeyListQuery,
  after: string | null,
): KeysQuery<O> {
  const { apiId, consumerId, parentKeyId, search, state, order = 'asc' } = query;
  if (search !== undefined && (search.length < 1 || search.length > MAX_SEARCH_LENGTH)) {
    throw new KeywardError('VALIDATION', `search must be 1 to ${MAX_SEARCH_LENGTH} characters`, {
      field: 'search',
    });
  }
  return qb
    .$if(apiId !== undefined, (q) => q.where('api_id', '=', apiId as string))
    .$if(consumerId !== undefined, (q) => q.where('consumer_id', '=', consumerId as string))
    .$if(parentKeyId !== undefined, (q) => q.where('parent_key_id', '=', parentKeyId as string))
    .$if(state !== undefined, (q) => q.where(stateFilter(ctx, state?.is ?? 'active', state?.at ?? 0)))
    .$if(search !== undefined, (q) => q.where(searchFilter(ctx, workspaceId, search as string)))
    .$if(after !== null, (q) => q.where('id', order === 'desc' ? '<' : '>', after as string));
}
