import { generateKey } from '@keyward/core';
import type { Cluster } from './cluster.js';
import { inParallel } from './cluster.js';

/** Milliseconds until every other node answered REVOKED, one value per trial. */
export interface Propagation {
  /** From the revoke's acknowledgement (0 when every node already said REVOKED by then). */
  fromAck: number[];
  /** From sending the revoke (includes the revoke's own commit). */
  fromSend: number[];
}

/** Imports `count` keys (known plaintexts) on node 0 and caches each, positively, on every node. */
export async function importWarmKeys(
  cluster: Cluster,
  api: { id: string; prefix: string },
  count: number,
): Promise<{ id: string; key: string }[]> {
  const secrets = Array.from({ length: count }, () => generateKey(api.prefix));
  const keys: { id: string; key: string }[] = [];
  for (let start = 0; start < secrets.length; start += 500) {
    const batch = secrets.slice(start, start + 500);
    const reply = await cluster.http[0]?.request('POST', '/v1/keys/import', {
      apiId: api.id,
      keys: batch.map((plaintext) => ({ plaintext })),
    });
    if (reply?.status !== 201)
      throw new Error(`import failed: ${reply?.status} ${JSON.stringify(reply?.body)}`);
    for (const [i, key] of batch.entries()) keys.push({ id: reply.body.items[i].id as string, key });
  }
  await inParallel(keys, 8, async ({ key }) => {
    for (const node of cluster.http) {
      const reply = await node.verify(key);
      if (reply.body?.valid !== true) throw new Error(`warm-up verify failed: ${reply.status}`);
    }
  });
  return keys;
}

/**
 * One trial per key, one after the other: revoke it on node `i % size`, and meanwhile poll
 * every other node with back-to-back verifications until each answers REVOKED.
 */
export async function measureRevocation(
  cluster: Cluster,
  keys: readonly { id: string; key: string }[],
  { giveUpMs = 5_000 }: { giveUpMs?: number } = {},
): Promise<Propagation> {
  const result: Propagation = { fromAck: [], fromSend: [] };
  for (const [trial, { id, key }] of keys.entries()) {
    const origin = cluster.http[trial % cluster.http.length];
    if (origin === undefined) throw new Error('empty cluster');
    const others = cluster.http.filter((node) => node !== origin);
    const sent = performance.now();
    let ackedAt = Number.NaN;
    const revoke = origin.request('POST', `/v1/keys/${id}/revoke`).then((reply) => {
      if (reply.status !== 200) throw new Error(`revoke answered ${reply.status}`);
      ackedAt = performance.now();
    });
    const seen = await Promise.all(
      others.map(async (node) => {
        for (;;) {
          const reply = await node.verify(key);
          if (reply.body?.code === 'REVOKED') return performance.now();
          if (performance.now() - sent > giveUpMs) throw new Error(`node ${node.url} never saw the revoke`);
        }
      }),
    );
    await revoke;
    const last = Math.max(...seen);
    result.fromSend.push(last - sent);
    result.fromAck.push(Math.max(0, last - ackedAt));
  }
  return result;
}
