import { errorFromResponse, KeywardApiError } from './api-error.js';

/**
 * The typed client's one way to call keyward: JSON in and out, the root key in the
 * Authorization header (never in a URL: ids and page cursors are the only path and query
 * values), a timeout per call, and every failure a `KeywardApiError`.
 */

export interface TransportOptions {
  /** Server base URL, e.g. `http://127.0.0.1:8787` (a path prefix is kept). */
  baseUrl: string;
  /** Root key, sent as `Authorization: Bearer <rootKey>`. */
  rootKey: string;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Per-call timeout in ms. Default 10_000. */
  timeoutMs?: number;
}

export interface CallOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined> | undefined;
  /** Sent as `Idempotency-Key` (create calls replay the first answer for 24 h). */
  idempotencyKey?: string | undefined;
  /** Sent as the Bearer credential instead of the root key (a key that authenticates its own call, e.g. minting a child). */
  bearer?: string | undefined;
}

export type Call = <T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options?: CallOptions,
) => Promise<T>;

const networkCode = (error: unknown): string | undefined => {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
};

export function createTransport(options: TransportOptions): Call {
  const { baseUrl, rootKey, fetch: fetchImpl = globalThis.fetch, timeoutMs = 10_000 } = options;
  const base = new URL(baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError('keyward client: baseUrl must be an http:// or https:// URL');
  }
  if (base.username !== '' || base.password !== '' || base.search !== '') {
    throw new TypeError('keyward client: baseUrl must not carry credentials or a query');
  }
  if (rootKey.length === 0 || /[^\x21-\x7e]/.test(rootKey)) {
    throw new TypeError('keyward client: rootKey must be a non-empty printable ASCII string');
  }
  const origin = base.href.replace(/\/+$/, '');
  const authorization = `Bearer ${rootKey}`;

  return async <T>(
    method: string,
    path: string,
    { body, query, idempotencyKey, bearer }: CallOptions = {},
  ): Promise<T> => {
    if (bearer !== undefined && (bearer.length === 0 || /[^\x21-\x7e]/.test(bearer))) {
      throw new TypeError('keyward client: a key must be a non-empty printable ASCII string');
    }
    const url = new URL(`${origin}${path}`);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      authorization: bearer === undefined ? authorization : `Bearer ${bearer}`,
      accept: 'application/json, application/problem+json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      const code = timedOut ? 'TIMEOUT' : 'NETWORK';
      const detail = timedOut
        ? `no answer from ${origin} within ${timeoutMs} ms`
        : `cannot reach ${origin}${networkCode(error) === undefined ? '' : ` (${networkCode(error)})`}`;
      throw new KeywardApiError(null, { status: 0, code, title: 'No answer', detail }, error);
    }
    if (!response.ok) throw await errorFromResponse(response);
    if (response.status === 204) {
      await response.body?.cancel();
      return undefined as T;
    }
    const text = await response.text();
    try {
      return (text === '' ? undefined : JSON.parse(text)) as T;
    } catch (error) {
      throw new KeywardApiError(
        null,
        {
          status: response.status,
          code: 'INTERNAL',
          title: 'Bad answer',
          detail: `${origin} answered with something other than JSON`,
        },
        error,
      );
    }
  };
}
