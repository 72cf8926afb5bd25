import { isPlausibleForeignKey, type KeyRecord, KeywardError, keyHint, newId } from '@keyward/core';
import type { ImportedKey, ImportKeysBody, ImportKeysResponse } from '@keyward/protocol';
import { keyView } from '../views.js';
import { requireApiAccess } from './api-access.js';
import { requireApi } from './apis.js';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { applyMaxTtl } from './key-lifetime.js';
import { checkKeySettings, type KeySettings, newKeyFields, resolveOwner } from './key-settings.js';
import { ensureConsumer } from './keys.js';
import { write } from './transaction.js';

interface CheckedEntry {
  entry: ImportedKey;
  at: string;
  secretField: string;
  digest: string;
  hint: string;
  settings: KeySettings;
  owner: Awaited<ReturnType<typeof resolveOwner>>;
}

const invalid = (field: string, message: string): never => {
  throw new KeywardError('VALIDATION', `${field} ${message}`, { field });
};

function digestOf(
  deps: ServiceDeps,
  entry: ImportedKey,
  at: string,
): { digest: string; hint: string; field: string } {
  if ((entry.plaintext === undefined) === (entry.sha256 === undefined)) {
    invalid(`${at}.plaintext`, 'or sha256 is required (exactly one of them)');
  }
  if (entry.plaintext !== undefined) {
    if (entry.hint !== undefined) invalid(`${at}.hint`, 'is derived from plaintext and cannot be given');
    if (!isPlausibleForeignKey(entry.plaintext)) {
      invalid(`${at}.plaintext`, 'must be 16-512 characters of A-Z a-z 0-9 - . _ ~ + / (then optional =)');
    }
    return {
      digest: deps.engine.digest(entry.plaintext),
      hint: keyHint(entry.plaintext),
      field: `${at}.plaintext`,
    };
  }
  const sha256 = entry.sha256 as string;
  return { digest: deps.digester.fromSha256Hex(sha256), hint: entry.hint ?? '…', field: `${at}.sha256` };
}

/**
 * Brings keys from another system, by plaintext or by SHA-256 digest, so that a provider
 * can migrate without re-issuing: its customers' keys verify unchanged. All or nothing:
 * every entry is checked first (a duplicate within the batch or of a key of this workspace
 * is a `CONFLICT` naming the index; another workspace's keys never count), then consumers
 * named by unknown external ids are created and all keys are inserted in one transaction.
 */
export async function importKeys(
  root: ServiceDeps,
  actor: Actor,
  body: ImportKeysBody,
): Promise<ImportKeysResponse> {
  return write(root, async (deps) => {
    const api = await requireApi(deps, actor, body.apiId, 'body.apiId');
    requireApiAccess(actor, 'keys:write', api.id, 'body.apiId');
    const checked: CheckedEntry[] = [];
    const seen = new Map<string, string>();
    for (const [i, entry] of body.keys.entries()) {
      const at = `body.keys[${i}]`;
      const { digest, hint, field } = digestOf(deps, entry, at);
      const first = seen.get(digest);
      if (first !== undefined)
        throw new KeywardError('CONFLICT', `${field} repeats the key of ${first}`, { field });
      seen.set(digest, at);
      const entrySettings = await checkKeySettings(deps, actor, entry, at);
      const settings = await applyMaxTtl(deps, actor.workspaceId, api.id, entrySettings, at, {
        creating: true,
      });
      const owner = await resolveOwner(deps, actor, entry, at);
      checked.push({ entry, at, secretField: field, digest, hint, settings, owner });
    }
    // Only this workspace's keys conflict: digests are unique per workspace, and whether another
    // workspace holds a string must not change the answer (issue 10: an oracle otherwise).
    for (const item of checked) {
      const found = await deps.store.keys.findByDigest(item.digest);
      if (found.some((lookup) => lookup.key.workspaceId === actor.workspaceId)) {
        throw new KeywardError('CONFLICT', `${item.secretField} is a key that already exists`, {
          field: item.secretField,
        });
      }
    }

    const consumers = new Map<string, string>();
    const now = deps.now();
    const records: KeyRecord[] = [];
    for (const item of checked) {
      let consumerId: string | null;
      if (item.owner !== null && item.owner !== undefined && 'externalId' in item.owner) {
        consumerId = consumers.get(item.owner.externalId) ?? (await ensureConsumer(deps, actor, item.owner));
        if (consumerId !== null) consumers.set(item.owner.externalId, consumerId);
      } else {
        consumerId = item.owner?.id ?? null;
      }
      records.push({
        id: newId('key'),
        workspaceId: actor.workspaceId,
        apiId: api.id,
        consumerId,
        digest: item.digest,
        hint: item.hint,
        ...newKeyFields(item.settings),
        environment: item.entry.environment ?? 'live',
        disabledReason: null,
        revokedAt: null,
        imported: true,
        kind: 'secret',
        createdAt: now,
        updatedAt: now,
      });
    }
    await deps.store.keys.createMany(records).catch((error: unknown) => {
      throw error instanceof KeywardError && error.code === 'CONFLICT'
        ? new KeywardError('CONFLICT', 'a key of this batch already exists', { field: 'body.keys' })
        : error;
    });

    const items = [];
    for (const [i, record] of records.entries()) {
      const credits = checked[i]?.settings.credits ?? null;
      if (credits !== null)
        await deps.store.credits.set({ kind: 'key', id: record.id }, credits.remaining, credits.config, now);
      await deps.engine.invalidate({ type: 'key', keyId: record.id, digests: [record.digest] });
      items.push(keyView(record, credits?.remaining ?? null, now));
    }
    await recordAudit(deps, actor, {
      action: 'key.import',
      targetType: 'api',
      targetId: api.id,
      before: null,
      after: { apiId: api.id, count: items.length, keys: items.map((k) => ({ id: k.id, hint: k.hint })) },
    });
    return { items };
  });
}
