import { type Static, Type } from '@sinclair/typebox';
import { Id, LIMITS, Nullable } from './common.js';

/** Most matches one report may carry (GitHub sends a few per message; a provider's scanner batches). */
export const MAX_LEAK_MATCHES = 1000;

/** One match GitHub's secret scanning posts: the body of `POST /v1/secret-scanning/github` is an array of these. */
export const GithubSecretMatch = Type.Object({
  /** The string that matched the registered pattern. */
  token: Type.String({ minLength: 1, maxLength: LIMITS.keyLength }),
  /** The secret type registered with GitHub, e.g. `keyward_api_key`. */
  type: Type.String({ minLength: 1, maxLength: 200 }),
  /** Where it was found (a commit, an issue, a gist...). */
  url: Type.Optional(Type.String({ maxLength: 2048 })),
  /** `content`, `commit`, `pull_request_comment`, `gist_content`, `npm`, ... */
  source: Type.Optional(Type.String({ maxLength: 100 })),
});
export type GithubSecretMatch = Static<typeof GithubSecretMatch>;

export const GithubSecretReport = Type.Array(GithubSecretMatch, { minItems: 1, maxItems: MAX_LEAK_MATCHES });
export type GithubSecretReport = Static<typeof GithubSecretReport>;

export const LeakLabel = Type.Union([Type.Literal('true_positive'), Type.Literal('false_positive')], {
  description: 'true_positive: a keyward key or root key; false_positive: no such key',
});

/** GitHub's feedback format: one item per match, in order. */
export const GithubSecretFeedback = Type.Array(
  Type.Object({
    /** SHA-256 (hex) of the token. */
    token_hash: Type.String(),
    token_type: Type.String(),
    label: LeakLabel,
  }),
);
export type GithubSecretFeedback = Static<typeof GithubSecretFeedback>;

/** The signature headers GitHub sends with every match. */
export const GithubSignatureHeaders = Type.Object({
  'github-public-key-identifier': Type.String({ minLength: 1, maxLength: 200 }),
  'github-public-key-signature': Type.String({ minLength: 1, maxLength: 400 }),
});

/** `POST /v1/keys/report-leak`: keys (or root keys) someone found exposed. */
export const ReportLeakBody = Type.Object(
  {
    keys: Type.Array(
      Type.Object(
        {
          key: Type.String({ minLength: 1, maxLength: LIMITS.keyLength }),
          /** Where it was found. */
          url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
          /** Which scanner or process found it (`gitleaks`, `trufflehog`, `support ticket`, ...). */
          source: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);
export type ReportLeakBody = Static<typeof ReportLeakBody>;

/** What the workspace's policy did to a key reported leaked. */
export const LeakAction = Type.Union([
  Type.Literal('disabled'),
  Type.Literal('revoked'),
  Type.Literal('alerted'),
  Type.Literal('none'),
]);

export const ReportLeakResponse = Type.Object({
  /** One per reported key, in order; never the key itself. */
  items: Type.Array(
    Type.Object({
      /** SHA-256 (hex) of the reported string. */
      keyHash: Type.String(),
      label: LeakLabel,
      /** The key (or root key) of this workspace it is; null for a false positive. */
      keyId: Nullable(Id),
      /** `none`: already disabled or revoked before (or reported before). */
      action: LeakAction,
    }),
  ),
  /** True when this exact report was processed before: nothing was done again. */
  replayed: Type.Boolean(),
});
export type ReportLeakResponse = Static<typeof ReportLeakResponse>;
