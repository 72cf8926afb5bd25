import { randomInt } from 'node:crypto';
import type { KeywardHttp } from './keyward-http.js';

/**
 * Admin writes driven over HTTP while a node may die at any moment, with a record of
 * every acknowledged reply. Each worker creates its own keys and rolls or revokes only
 * those, one request at a time, so per key the order of acknowledgements is the order of
 * commits. A request that got no reply (the node died) leaves its key `uncertain`: the
 * write may or may not have happened, and the worker never touches that key again.
 */
export interface TrackedKey {
  id: string;
  /** Acknowledged secrets in order: the create's, then each roll's. The last is current. */
  secrets: string[];
  /** An acknowledged revoke. */
  revoked: boolean;
  /** The write that got no reply, if any. */
  uncertain: 'roll' | 'revoke' | null;
}

export interface WriteJournal {
  keys: TrackedKey[];
  acked: { create: number; roll: number; revoke: number };
  /** Creates that got no reply. */
  unknownCreates: number;
  /** Replies that are neither success nor a dead connection (a 5xx, a 409): should not happen. */
  unexpected: string[];
}

export const newJournal = (): WriteJournal => ({
  keys: [],
  acked: { create: 0, roll: 0, revoke: 0 },
  unknownCreates: 0,
  unexpected: [],
});

async function worker(http: KeywardHttp, apiId: string, journal: WriteJournal, stopped: () => boolean) {
  const mine: TrackedKey[] = [];
  const attempt = async (method: string, path: string, body: unknown) => {
    try {
      return await http.request(method, path, body);
    } catch {
      return null;
    }
  };
  while (!stopped()) {
    const live = mine.filter((key) => !key.revoked && key.uncertain === null);
    const dice = randomInt(100);
    if (live.length === 0 || dice < 35) {
      const reply = await attempt('POST', '/v1/keys', { apiId });
      if (reply === null) {
        journal.unknownCreates++;
        return;
      }
      if (reply.status !== 201) journal.unexpected.push(`create: ${reply.status}`);
      else {
        const key: TrackedKey = {
          id: reply.body.id,
          secrets: [reply.body.key],
          revoked: false,
          uncertain: null,
        };
        mine.push(key);
        journal.keys.push(key);
        journal.acked.create++;
      }
      continue;
    }
    const key = live[randomInt(live.length)] as TrackedKey;
    const kind = dice < 75 ? 'roll' : 'revoke';
    const reply =
      kind === 'roll'
        ? await attempt('POST', `/v1/keys/${key.id}/roll`, { gracePeriodMs: 0 })
        : await attempt('POST', `/v1/keys/${key.id}/revoke`, undefined);
    if (reply === null) {
      key.uncertain = kind;
      return;
    }
    if (reply.status !== 200) journal.unexpected.push(`${kind}: ${reply.status}`);
    else if (kind === 'roll') {
      key.secrets.push(reply.body.key);
      journal.acked.roll++;
    } else {
      key.revoked = true;
      journal.acked.revoke++;
    }
  }
}

/** Runs `workers` writers until `stopped()` or until each lost its node; resolves when all are done. */
export async function driveWrites(
  http: KeywardHttp,
  apiId: string,
  journal: WriteJournal,
  { workers, stopped }: { workers: number; stopped: () => boolean },
): Promise<void> {
  await Promise.all(Array.from({ length: workers }, () => worker(http, apiId, journal, stopped)));
}
