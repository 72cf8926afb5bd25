import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { KeywardError, type Meta } from '@keyward/core';
import type { ServiceDeps } from './context.js';
import { write } from './transaction.js';

/** A reply worth replaying: status and JSON body. */
export interface StoredReply {
  status: number;
  body: unknown;
}

export interface IdempotentOutcome extends StoredReply {
  /** True when this reply is a replay of an earlier one. */
  replayed: boolean;
}

const MAX_DEPTH = 64;

/** JSON with object keys sorted, so that the same body in another key order has the same fingerprint. */
function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new KeywardError('VALIDATION', 'body is nested too deeply', { field: 'body' });
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Stored replies hold plaintext keys (a create answers the new key), yet the store must
 * never hold one: the reply is sealed with AES-256-GCM under a key derived from the
 * Idempotency-Key (through the digester, so the pepper too when configured) and from the
 * caller's root key (`replaySecret`, an HMAC of the presented secret, which no database
 * holds). The row is found by a different hash of the Idempotency-Key. So neither a copy
 * of the database nor one plus the Idempotency-Key opens it; only the same root key
 * repeating the same Idempotency-Key can.
 */
function sealer(deps: ServiceDeps, workspaceId: string, idempotencyKey: string, replaySecret: Buffer) {
  const secret = Buffer.concat([
    Buffer.from(deps.digester.digest(`idempotency\u0000${idempotencyKey}`), 'hex'),
    replaySecret,
  ]);
  const key = Buffer.from(hkdfSync('sha256', secret, workspaceId, 'keyward idempotent reply v2', 32));
  return {
    seal(reply: StoredReply): Meta {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([cipher.update(JSON.stringify(reply.body), 'utf8'), cipher.final()]);
      return { sealed: Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64') };
    },
    /** The reply; `CONFLICT` when another root key (or a reply sealed before v2) stored it. */
    open(body: Meta): unknown {
      const raw = Buffer.from(String(body.sealed), 'base64');
      let text: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new KeywardError('CONFLICT', 'this Idempotency-Key was used by another root key', {
          field: 'headers.idempotency-key',
        });
      }
      return JSON.parse(text);
    },
  };
}

export interface Idempotency {
  /**
   * Runs a create at most once per (workspace, Idempotency-Key) within 24 h, as Stripe
   * does: the same key with the same request replays the first reply; with a different
   * request (another body or another route) it is `UNPROCESSABLE` (422). Only successful
   * replies are stored; a failed request may be retried with the same key. Without a key,
   * `run` simply runs.
   *
   * With a key, `run` gets the deps of one transaction (`write`) and its reply is stored in
   * that same transaction: the create and the reply that replays it commit together, so a
   * crash or a failed store between the two cannot leave a key that a retry creates again.
   */
  run(
    workspaceId: string,
    request: {
      idempotencyKey: string | undefined;
      route: string;
      body: unknown;
      /** The caller's `Principal.replaySecret`: a reply replays for the root key that made it only. */
      replaySecret: Buffer;
    },
    run: (deps: ServiceDeps) => Promise<StoredReply>,
  ): Promise<IdempotentOutcome>;
}

/** @example const reply = await idempotency.run(ws, { idempotencyKey, route: 'POST /v1/keys', body, replaySecret }, (tx) => create(tx)) */
export function createIdempotency(deps: ServiceDeps): Idempotency {
  // Concurrent requests with the same Idempotency-Key in this process run one after another.
  const inflight = new Map<string, Promise<unknown>>();

  const once = async (
    workspaceId: string,
    idempotencyKey: string,
    fingerprint: string,
    lookup: string,
    replaySecret: Buffer,
    run: (deps: ServiceDeps) => Promise<StoredReply>,
  ): Promise<IdempotentOutcome> => {
    const box = sealer(deps, workspaceId, idempotencyKey, replaySecret);
    const stored = await deps.store.idempotency.get(workspaceId, lookup);
    if (stored !== null) {
      if (stored.fingerprint !== fingerprint) {
        throw new KeywardError(
          'UNPROCESSABLE',
          'this Idempotency-Key was already used with a different request',
          {
            field: 'headers.idempotency-key',
          },
        );
      }
      return { status: stored.status, body: box.open(stored.body), replayed: true };
    }
    const reply = await write(deps, async (tx) => {
      const made = await run(tx);
      const sealed = { fingerprint, status: made.status, body: box.seal(made) };
      await tx.store.idempotency.put(workspaceId, lookup, sealed, tx.now());
      return made;
    });
    return { ...reply, replayed: false };
  };

  return {
    async run(workspaceId, request, run) {
      const { idempotencyKey } = request;
      if (idempotencyKey === undefined) return { ...(await run(deps)), replayed: false };
      const lookup = sha256(`lookup\u0000${idempotencyKey}`);
      const fingerprint = sha256(`${request.route}\n${canonicalJson(request.body)}`);
      const lock = `${workspaceId}\u0000${lookup}`;
      const previous = inflight.get(lock) ?? Promise.resolve();
      const current = previous
        .catch(() => undefined)
        .then(() => once(workspaceId, idempotencyKey, fingerprint, lookup, request.replaySecret, run));
      inflight.set(lock, current);
      try {
        return await current;
      } finally {
        if (inflight.get(lock) === current) inflight.delete(lock);
      }
    },
  };
}
