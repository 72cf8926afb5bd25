import { KeywardError } from '@keyward/core';
import {
  type GithubSecretFeedback,
  MAX_LEAK_MATCHES,
  type ReportLeakBody,
  type ReportLeakResponse,
} from '@keyward/protocol';
import { coversAll, holdsFor } from '../root-permissions.js';
import { type GithubKeySource, verifyGithubSignature } from '../secret-scanning/github-keys.js';
import type { Actor, ServiceDeps } from './context.js';
import { actOnLeaks, type LeakMatch, sha256Hex } from './leaks.js';

/**
 * The two ways a leak is reported: GitHub's secret-scanning partner endpoint (public,
 * authenticated by GitHub's signature over the raw body) and `POST /v1/keys/report-leak`
 * (a root key). Both record a digest of what they processed: the same report again acts on
 * nothing and answers what it answered the first time.
 */

/** What the GitHub endpoint hands over from the request. */
export interface GithubDelivery {
  identifier: string | string[] | undefined;
  signature: string | string[] | undefined;
  /** The raw body; undefined when none was sent as JSON. */
  body: Buffer | undefined;
  ip: string | null;
  requestId: string | null;
}

const header = (value: string | string[] | undefined, name: string, pattern: RegExp): string => {
  const field = `headers.${name}`;
  if (value === undefined) throw new KeywardError('VALIDATION', `${field} is required`, { field });
  if (typeof value !== 'string' || !pattern.test(value))
    throw new KeywardError('VALIDATION', `${field} is malformed`, { field });
  return value;
};

const invalid = (field: string, why: string) => new KeywardError('VALIDATION', `${field} ${why}`, { field });

const optionalText = (value: unknown, field: string, max: number): string | null => {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max)
    throw invalid(field, `must be a string of at most ${max} characters`);
  return value;
};

/** The matches of a GitHub body: `VALIDATION` naming the first field at fault. */
function parseMatches(body: Buffer): Array<LeakMatch & { type: string }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('body', 'is not valid JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > MAX_LEAK_MATCHES)
    throw invalid('body', `must be an array of 1 to ${MAX_LEAK_MATCHES} matches`);
  return parsed.map((item: unknown, i) => {
    const at = `body[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw invalid(at, 'must be an object');
    const { token, type, url, source } = item as Record<string, unknown>;
    if (typeof token !== 'string' || token.length === 0 || token.length > 512)
      throw invalid(`${at}.token`, 'must be a string of 1 to 512 characters');
    if (typeof type !== 'string' || type.length === 0 || type.length > 200)
      throw invalid(`${at}.type`, 'must be a string of 1 to 200 characters');
    const src = optionalText(source, `${at}.source`, 100);
    return {
      token,
      type,
      url: optionalText(url, `${at}.url`, 2048),
      source: src === null ? 'github' : `github:${src}`,
    };
  });
}

/** Reports of the same body in flight in this process run one after the other (so a replay waits, then acts on nothing). */
const inflight = new Map<string, Promise<unknown>>();

const once = async <T>(id: string, run: () => Promise<T>): Promise<T> => {
  const previous = inflight.get(id) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(run);
  inflight.set(id, current);
  try {
    return await current;
  } finally {
    if (inflight.get(id) === current) inflight.delete(id);
  }
};

/**
 * GitHub's secret scanning: signature first (over the raw bytes, with the key the
 * identifier names), then the body. Answers GitHub's feedback format, one item per match.
 */
export async function receiveGithubReport(
  deps: ServiceDeps,
  keys: GithubKeySource,
  delivery: GithubDelivery,
): Promise<GithubSecretFeedback> {
  const identifier = header(delivery.identifier, 'github-public-key-identifier', /^[A-Za-z0-9_-]{1,200}$/);
  const signature = header(delivery.signature, 'github-public-key-signature', /^[A-Za-z0-9+/]{1,400}={0,2}$/);
  const { body } = delivery;
  if (body === undefined)
    throw new KeywardError('UNSUPPORTED_MEDIA_TYPE', 'the report must be sent as application/json', {
      field: 'body',
    });
  const key = await keys.get(identifier);
  if (key === null) {
    throw new KeywardError('UNAUTHORIZED', 'unknown GitHub public key identifier', {
      field: 'headers.github-public-key-identifier',
    });
  }
  if (!verifyGithubSignature(key, body, signature)) {
    throw new KeywardError('UNAUTHORIZED', 'the signature does not match the body', {
      field: 'headers.github-public-key-signature',
    });
  }
  const digest = sha256Hex(body);
  return once(`github\u0000${digest}`, async () => {
    const stored = await deps.store.leakReports.get('github', digest);
    if (stored !== null) return JSON.parse(stored) as GithubSecretFeedback;
    const matches = parseMatches(body);
    const verdicts = await actOnLeaks(deps, matches, {
      actorId: 'github-secret-scanning',
      kind: 'github',
      ip: delivery.ip,
      requestId: delivery.requestId,
    });
    const feedback: GithubSecretFeedback = matches.map((match, i) => ({
      token_hash: verdicts[i]?.tokenHash ?? sha256Hex(match.token),
      token_type: match.type,
      label: verdicts[i]?.found === true ? 'true_positive' : 'false_positive',
    }));
    await deps.store.leakReports.put('github', digest, JSON.stringify(feedback), deps.now());
    return feedback;
  });
}

/**
 * `POST /v1/keys/report-leak`: keys of the caller's workspace it may write (a root key
 * scoped to some APIs reports those APIs' keys; root keys need `root_keys:write`). Anything
 * else, another workspace's keys included, is a false positive: the answer tells nothing
 * about other workspaces.
 */
export async function reportLeaks(
  deps: ServiceDeps,
  actor: Actor,
  body: ReportLeakBody,
): Promise<ReportLeakResponse> {
  // Per reporting root key: what another key may act on (its scope) can differ.
  const source = `report:${actor.workspaceId}:${actor.rootKeyId}`;
  const digest = sha256Hex(
    JSON.stringify(body.keys.map(({ key, url, source: from }) => [key, url ?? null, from ?? null])),
  );
  return once(`${source}\u0000${digest}`, async () => {
    const stored = await deps.store.leakReports.get(source, digest);
    if (stored !== null) return { ...(JSON.parse(stored) as ReportLeakResponse), replayed: true };
    const matches: LeakMatch[] = body.keys.map((entry) => ({
      token: entry.key,
      url: entry.url ?? null,
      source: entry.source ?? null,
    }));
    const verdicts = await actOnLeaks(deps, matches, {
      actorId: actor.rootKeyId,
      kind: 'report',
      ip: actor.ip,
      requestId: actor.requestId,
      scope: {
        workspaceId: actor.workspaceId,
        mayWrite: (apiId) => holdsFor(actor.permissions, 'keys:write', apiId),
        mayRevoke: (rootKey) =>
          holdsFor(actor.permissions, 'root_keys:write', null) &&
          coversAll(actor.permissions, rootKey.permissions),
      },
    });
    const response: ReportLeakResponse = {
      items: verdicts.map((verdict) => {
        const own = verdict.keys.find((k) => k.workspaceId === actor.workspaceId);
        return {
          keyHash: verdict.tokenHash,
          label: own === undefined ? 'false_positive' : 'true_positive',
          keyId: own?.keyId ?? null,
          action: own?.action ?? 'none',
        };
      }),
      replayed: false,
    };
    await deps.store.leakReports.put(source, digest, JSON.stringify(response), deps.now());
    return response;
  });
}
