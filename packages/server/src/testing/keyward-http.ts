import { randomBytes } from 'node:crypto';

/** One HTTP reply, its JSON body parsed (null when the body is not JSON). */
export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test code reads arbitrary JSON bodies
  body: any;
}

/** The admin and verify API of one keyward node, as a provider's backend calls it. */
export interface KeywardHttp {
  readonly url: string;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** `POST /v1/keys/verify`. */
  verify(key: string, extra?: Record<string, unknown>): Promise<Reply>;
  /** Creates an API with a fresh prefix; resolves its id and prefix. */
  createApi(): Promise<{ id: string; prefix: string }>;
}

export function keywardHttp(url: string, rootKey: string): KeywardHttp {
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${rootKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
  return {
    url,
    request,
    verify: (key, extra = {}) => request('POST', '/v1/keys/verify', { key, ...extra }),
    async createApi() {
      const prefix = `t${randomBytes(4).toString('hex')}`;
      const reply = await request('POST', '/v1/apis', { name: `api ${prefix}`, prefix });
      if (reply.status !== 201)
        throw new Error(`creating an API failed: ${reply.status} ${JSON.stringify(reply.body)}`);
      return { id: reply.body.id as string, prefix };
    },
  };
}

/** Percentile of sorted samples (nearest rank). */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? Number.NaN);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true; throws after `limitMs` with `what` in the message. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  limitMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(50);
  }
}
