import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveAllowed, type WebhookAddressPolicy } from './address-policy.js';

/** One signed POST to a receiver. */
export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What came back: a status (any, 3xx included: redirects are not followed) or why none came. */
export type DeliveryResponse = { status: number; error: null } | { status: null; error: string };

export type Deliver = (request: DeliveryRequest) => Promise<DeliveryResponse>;

export interface HttpDeliverOptions {
  /** Which addresses receivers may have. Default `public`. */
  addressPolicy?: WebhookAddressPolicy;
  /** Whole-request deadline (connect, send, answer), in ms. Default 10_000. */
  timeoutMs?: number;
  /** Most bytes of the answer read (and discarded). Default 64 KiB. */
  maxResponseBytes?: number;
  /** `User-Agent` header. Default `keyward-webhooks/1`. */
  userAgent?: string;
}

/**
 * Delivers over HTTP(S): connects only to an address the policy allows (resolved once
 * and pinned, so DNS rebinding cannot redirect the connection), follows no redirect, and
 * gives up at the deadline. TLS still verifies the certificate against the URL's host.
 * Never throws: failures come back as `{ status: null, error }`.
 */
export function createHttpDeliver(options: HttpDeliverOptions = {}): Deliver {
  const {
    addressPolicy = 'public',
    timeoutMs = 10_000,
    maxResponseBytes = 64 * 1024,
    userAgent = 'keyward-webhooks/1',
  } = options;
  return async (request) => {
    const url = new URL(request.url);
    let pinned: { address: string; family: 4 | 6 };
    try {
      pinned = await resolveAllowed(url, addressPolicy);
    } catch (error) {
      return { status: null, error: error instanceof Error ? error.message : String(error) };
    }
    const lookup: LookupFunction = (_host, opts, callback) => {
      if ((opts as { all?: boolean }).all) callback(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<DeliveryResponse>((resolve) => {
      const body = Buffer.from(request.body, 'utf8');
      const req = transport.request(
        url,
        {
          method: 'POST',
          lookup,
          agent: false,
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            ...request.headers,
            'content-type': 'application/json',
            'content-length': String(body.length),
            'user-agent': userAgent,
          },
        },
        (res) => {
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > maxResponseBytes) res.destroy();
          });
          res.on('close', () => resolve({ status: res.statusCode ?? 0, error: null }));
          res.on('error', () => resolve({ status: res.statusCode ?? 0, error: null }));
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        const why =
          error.name === 'AbortError' || error.name === 'TimeoutError'
            ? `no answer within ${timeoutMs} ms`
            : `${error.code ?? error.name}: ${error.message}`;
        resolve({ status: null, error: why.slice(0, 300) });
      });
      req.end(body);
    });
  };
}
