import type { Request, RequestHandler, Response } from 'express';
import type { Answer } from './answers.js';
import { authorizationLines, parseAuthorization } from './bearer.js';
import { clientHintsFrom } from './client-hints.js';
import { createGuard, type KeywardOptions, logVerificationError } from './guard.js';
import type { KeywardIdentity } from './verification.js';

declare global {
  namespace Express {
    interface Request {
      /** The verified caller, set by the keyward middleware on the routes it protects. */
      keyward?: KeywardIdentity;
    }
  }
}

export type KeywardExpressOptions = KeywardOptions<Request>;

const setHeaders = (res: Response, headers: Record<string, string>): void => {
  for (const name in headers) res.setHeader(name, headers[name] as string);
};

const send = (res: Response, answer: Answer): void => {
  setHeaders(res, answer.headers);
  if (!answer.allow) res.status(answer.status).send(JSON.stringify(answer.body));
};

/**
 * Bearer key middleware for Express 5. On success the identity is on `req.keyward` and
 * `RateLimit` / `RateLimit-Policy` headers are already set; otherwise it answers
 * 400/401/403/429/503 itself (see answers.ts). The client address is `req.ip`, so the
 * app's own `trust proxy` setting decides whether X-Forwarded-For counts.
 *
 * @example
 * app.post('/sessions', keyward({ verifier, permissions: 'sessions:write' }), (req, res) => {
 *   res.json({ consumer: req.keyward?.consumer?.externalId });
 * });
 */
export function keyward(options: KeywardExpressOptions): RequestHandler {
  const guard = createGuard<Request>(options, {
    credential: (req) => parseAuthorization(authorizationLines(req.rawHeaders)),
    target: (req) => req.originalUrl,
    ip: (req) => req.ip,
    client: (req) => clientHintsFrom((name) => req.headers[name]),
    onError: logVerificationError,
  });
  return async (req, res, next) => {
    const answer = await guard(req);
    send(res, answer);
    if (answer.allow) {
      req.keyward = answer.identity;
      next();
    }
  };
}
