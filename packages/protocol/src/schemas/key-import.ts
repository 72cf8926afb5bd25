import { type Static, Type } from '@sinclair/typebox';
import { Id, LIMITS } from './common.js';
import { ExternalId } from './consumers.js';
import { Environment, KeySettingsFields, KeyView } from './keys.js';

/**
 * One key brought from another system: exactly one of `plaintext` (any format: 16-512
 * characters of RFC 7235 token68) or `sha256` (its hex SHA-256), plus the usual settings.
 */
export const ImportedKey = Type.Object(
  {
    plaintext: Type.Optional(
      Type.String({ minLength: 16, maxLength: LIMITS.keyLength, pattern: '^[A-Za-z0-9._~+/-]+=*$' }),
    ),
    sha256: Type.Optional(Type.String({ minLength: 64, maxLength: 64, pattern: '^[0-9a-fA-F]{64}$' })),
    /** Display hint for a `sha256` key (its plaintext is unknown), e.g. `…9fQ2`. */
    hint: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    consumerId: Type.Optional(Id),
    externalId: Type.Optional(ExternalId),
    environment: Type.Optional(Environment),
    ...KeySettingsFields,
  },
  { additionalProperties: false },
);
export type ImportedKey = Static<typeof ImportedKey>;

/** All keys are imported or none; a duplicate (in the batch or already stored) is a 409 naming its index. */
export const ImportKeysBody = Type.Object(
  { apiId: Id, keys: Type.Array(ImportedKey, { minItems: 1, maxItems: LIMITS.importBatch }) },
  { additionalProperties: false },
);
export type ImportKeysBody = Static<typeof ImportKeysBody>;

/** The imported keys, in the order sent. */
export const ImportKeysResponse = Type.Object({ items: Type.Array(KeyView) });
export type ImportKeysResponse = Static<typeof ImportKeysResponse>;
