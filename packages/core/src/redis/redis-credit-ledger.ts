import type { Cluster, Redis } from 'ioredis';
import { KeywardError } from '../contracts/errors.js';
import type { CreditsConfig } from '../contracts/model.js';
import type {
  CreditBalance,
  CreditLedger,
  CreditOwner,
  CreditSpend,
  DurableCreditLedger,
} from '../contracts/store.js';
import type { CreditFlushing } from '../memory/cached-credit-ledger.js';
import {
  assertCount,
  assertLedgerOpen,
  createSerialQueue,
  forEachLimit,
  mergePending,
  ownerKey,
  type PendingSpend,
  requireRead,
  throwFailures,
  writeBack,
} from '../memory/credit-write-back.js';
import { REFUND_LUA, SPEND_LUA } from './credit-scripts.js';
import { translateRedisError } from './redis-errors.js';
import { luaScript, runScript } from './run-script.js';

export interface RedisCreditLedgerOptions {
  /** The connection (or Cluster) for balances; give it `enableOfflineQueue: false`. Never closed by this ledger. */
  redis: Redis | Cluster;
  /** The source of truth (PostgreSQL `store.credits`); must implement `read`. Never closed by this ledger. */
  inner: CreditLedger;
  /** Prepended to every balance key. Default `kw:cr:`. */
  keyPrefix?: string;
  /** How often this node writes the credits it spent to `inner`, in ms. Default 1_000. */
  syncIntervalMs?: number;
  /** How long an untouched balance stays in Redis before it is reloaded from `inner`, in ms. Default 86_400_000. */
  idleTtlMs?: number;
  /** Told when a periodic sync fails (its credits stay pending and go with the next one). Default: ignore. */
  onError?: (error: unknown) => void;
}

const SPEND = luaScript(SPEND_LUA);
const REFUND = luaScript(REFUND_LUA);
/** Owners written back at once (each is two PostgreSQL round trips). */
const SYNC_CONCURRENCY = 8;

const MODES = { daily: 'd', monthly: 'm' } as const;

/** The hash fields of a stored balance, in the scripts' load order. */
function loadFields(row: CreditBalance | null): string[] {
  if (row === null) return ['u'];
  const refill: CreditsConfig['refill'] = row.config?.refill ?? null;
  if (refill === null) return [String(row.remaining), String(row.lastRefillAt), '-', '0', '0', '1'];
  const { interval, amount, day = 1 } = refill;
  const numeric = typeof interval === 'number';
  if ((numeric && !(Number.isSafeInteger(interval) && interval > 0)) || (!numeric && !(interval in MODES))) {
    throw new KeywardError(
      'VALIDATION',
      'credits refill interval must be daily, monthly or a positive integer (ms)',
      {
        field: 'credits.refill.interval',
      },
    );
  }
  if (!Number.isSafeInteger(amount) || amount < 0 || !Number.isFinite(day)) {
    throw new KeywardError('VALIDATION', 'credits refill needs an integer amount >= 0 and a day of month', {
      field: 'credits.refill',
    });
  }
  const mode = numeric ? 'i' : MODES[interval];
  return [
    String(row.remaining),
    String(row.lastRefillAt),
    mode,
    String(numeric ? interval : 0),
    String(amount),
    String(day),
  ];
}

/** The hash a `set` writes: the fields the scripts install from the same load order. */
function hashFields(fields: readonly string[]): Record<string, string> {
  if (fields[0] === 'u') return { u: '1' };
  const [r = '', l = '', m = '', iv = '', a = '', d = ''] = fields;
  return { u: '0', r, l, m, iv, a, d };
}

/**
 * Credit balances in Redis, shared by every node, with PostgreSQL (`inner`) as the source of
 * truth. A spend is one SPEND script: refill (`applyRefill`, ported), check and decrement in
 * one atomic step, never below zero, so however many nodes spend at once, a balance of N
 * admits exactly N. On a miss (first use, eviction, idle expiry, Redis restart) the balance
 * is read from `inner` and installed by the same script with set-if-absent semantics: the
 * first loader wins and every node spends from that one balance.
 *
 * Each node keeps the credits it spent (per owner and refill period) and writes them to
 * `inner` every `syncIntervalMs` and on `flush()`/`close()` (see `credit-write-back.ts`:
 * deltas, clamped at zero, dropped when a set or refill replaced the balance). A failed
 * write stays pending and is retried.
 *
 * Guarantees, in numbers:
 * - While Redis keeps the balance: never overspent, across any number of nodes.
 * - After a Redis loss (restart without persistence, FLUSHALL, eviction) the balance is
 *   reloaded from `inner`, which lacks the spends not yet synced, so those can be spent
 *   again: at most what every node spent in its last `syncIntervalMs` (1 s by default)
 *   plus one sync's duration, per owner (while syncs fail, all spending since a node's last
 *   successful one); nothing else. A node that dies never syncs its pending credits: they
 *   stay counted in Redis, and only a later Redis loss would admit them again.
 * - `set` writes `inner` first, then replaces the Redis balance; every node's pending
 *   credits from before it are dropped at its next sync. A sync racing a set on another
 *   node can only leave `inner` lower than the truth (by that sync), never higher.
 * - Redis unreachable: `spend` rejects (the engine answers 503). It never falls back to
 *   `inner`, whose balance lags the unsynced spends and would admit them again.
 * Refill instants use the callers' clocks (the `now` given to `spend`): node clocks
 * skewed by s move a refill by at most s.
 *
 * Keys are `<prefix>{<kind>:<id>}` (a Redis Cluster hash tag: one slot per balance).
 *
 * @example
 * const credits = createRedisCreditLedger({ redis, inner: store.credits, onError: (e) => log.warn(e) });
 * const engine = createEngine({ store: { ...store, credits }, credits });
 */
export function createRedisCreditLedger(
  options: RedisCreditLedgerOptions,
): DurableCreditLedger & CreditFlushing {
  const {
    redis,
    keyPrefix = 'kw:cr:',
    syncIntervalMs = 1_000,
    idleTtlMs = 86_400_000,
    onError = () => {},
  } = options;
  const inner = requireRead(options.inner);
  for (const [field, value] of [
    ['syncIntervalMs', syncIntervalMs],
    ['idleTtlMs', idleTtlMs],
  ] as const) {
    if (!(Number.isSafeInteger(value) && value > 0)) {
      throw new KeywardError('VALIDATION', `${field} must be a positive integer`, { field });
    }
  }
  const ttl = String(idleTtlMs);
  /** This node's unsynced credits: owner → refill period → pending. */
  const pending = new Map<string, { owner: CreditOwner; periods: Map<number, PendingSpend> }>();
  const loads = new Map<string, Promise<string[]>>();
  let closed = false;
  let closing: Promise<void> | null = null;

  /** Write-backs, sets and reloads of this ledger run one at a time, in call order. */
  const exclusive = createSerialQueue();
  const assertOpen = (): void => assertLedgerOpen(closed);

  const keyOf = (owner: CreditOwner): string => `${keyPrefix}{${ownerKey(owner)}}`;

  /** The load fields from `inner`; concurrent misses of one owner on this node share one read. */
  const load = (owner: CreditOwner): Promise<string[]> => {
    const id = ownerKey(owner);
    let loading = loads.get(id);
    if (loading === undefined) {
      loading = inner
        .read(owner)
        .then(loadFields)
        .finally(() => loads.delete(id));
      loads.set(id, loading);
    }
    return loading;
  };

  /** One script call; Redis being down is `UNAVAILABLE` (503), as the database's errors are. */
  const script = async (code: typeof SPEND, keys: string[], args: string[]): Promise<string[]> => {
    try {
      return (await runScript(redis, code, keys, args)) as string[];
    } catch (error) {
      throw translateRedisError(error);
    }
  };

  /** Runs a script; on a miss, loads the balance and runs it again with the load fields. */
  const run = async (code: typeof SPEND, owner: CreditOwner, args: string[]): Promise<string[]> => {
    assertOpen();
    const keys = [keyOf(owner)];
    const reply = await script(code, keys, args);
    if (reply[0] !== 'miss') return reply;
    return script(code, keys, [...args, ...(await load(owner))]);
  };

  const record = (owner: CreditOwner, period: number, spent: number, at: number): void => {
    const id = ownerKey(owner);
    let entry = pending.get(id);
    if (entry === undefined) {
      entry = { owner: { ...owner }, periods: new Map() };
      pending.set(id, entry);
    }
    entry.periods.set(period, mergePending(entry.periods.get(period), { period, spent, at }));
  };

  const syncAll = async (): Promise<void> => {
    const batch = [...pending.values()].map(({ owner, periods }) => ({
      owner,
      periods: [...periods.values()].sort((a, b) => a.period - b.period),
    }));
    pending.clear();
    const errors: unknown[] = [];
    // One owner's periods in order, owners in parallel.
    await forEachLimit(batch, SYNC_CONCURRENCY, async ({ owner, periods }) => {
      for (const p of periods) {
        try {
          await writeBack(inner, owner, p);
        } catch (error) {
          record(owner, p.period, p.spent, p.at);
          errors.push(error);
        }
      }
    });
    throwFailures(errors, 'credit syncs');
  };

  let ticking = false;
  const timer = setInterval(() => {
    if (ticking || pending.size === 0) return;
    ticking = true;
    exclusive(syncAll)
      .catch(onError)
      .finally(() => {
        ticking = false;
      });
  }, syncIntervalMs);
  timer.unref();

  const spend = async (owner: CreditOwner, cost: number, now: number): Promise<CreditSpend> => {
    assertCount(cost, 'cost');
    if (!Number.isFinite(now))
      throw new KeywardError('VALIDATION', 'now must be a finite number', { field: 'now' });
    const reply = await run(SPEND, owner, [String(cost), String(now), ttl]);
    if (reply[0] === 'u') return { ok: true, remaining: Number.POSITIVE_INFINITY };
    const ok = reply[0] === '1';
    const remaining = Number(reply[1]);
    if (ok && cost > 0) record(owner, Number(reply[2]), cost, now);
    return { ok, remaining };
  };

  return {
    kind: 'durable',

    async get(owner, now) {
      const { remaining } = await spend(owner, 0, now);
      return Number.isFinite(remaining) ? remaining : null;
    },

    async set(owner, remaining, config, now) {
      assertOpen();
      const key = keyOf(owner);
      // Validates the config before anything is written.
      const values = hashFields(
        loadFields(remaining === null ? null : { remaining, lastRefillAt: now, config }),
      );
      await exclusive(async () => {
        await inner.set(owner, remaining, config, now);
        pending.delete(ownerKey(owner));
        try {
          const replies = await redis.multi().del(key).hset(key, values).pexpire(key, idleTtlMs).exec();
          const failed = replies?.find(([error]) => error !== null)?.[0];
          if (replies === null || failed) throw failed ?? new Error('redis aborted the transaction');
        } catch (error) {
          // Never leave the old balance behind: without a hash, the next spend loads the new one.
          await redis.del(key).catch(() => {});
          throw new KeywardError('UNAVAILABLE', 'the balance is stored but redis did not take it; retry', {
            cause: error,
          });
        }
      });
    },

    spend,

    reload(owner) {
      assertOpen();
      // After any sync in progress; pending credits of the replaced balance are moot.
      return exclusive(async () => {
        pending.delete(ownerKey(owner));
        try {
          await redis.del(keyOf(owner));
        } catch (error) {
          throw translateRedisError(error);
        }
      });
    },

    async refund(owner, amount) {
      assertCount(amount, 'amount');
      if (amount === 0) return;
      const reply = await run(REFUND, owner, [String(amount), ttl]);
      if (reply[0] !== '1') return;
      // A refund-only batch is written at the period start: no refill beyond that period.
      record(owner, Number(reply[2]), -amount, Number(reply[2]));
    },

    flush() {
      return exclusive(syncAll);
    },

    close() {
      closing ??= (async () => {
        closed = true;
        clearInterval(timer);
        await exclusive(syncAll);
      })();
      return closing;
    },
  };
}
