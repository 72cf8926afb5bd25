import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { KeywardError } from '../contracts/errors.js';

const SEALED = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts webhook signing secrets at rest (AES-256-GCM) with a key derived (HKDF-SHA256)
 * from the server's pepper, which never lives in the database: a leaked database then
 * does not let anyone forge deliveries. Without a pepper, secrets are stored as is.
 */
export interface SecretBox {
  seal(secret: string): string;
  /** `INTERNAL` when a sealed value cannot be opened (another pepper, or none). */
  open(stored: string): string;
}

export function createSecretBox(pepper: string | null): SecretBox {
  const key =
    pepper === null
      ? null
      : Buffer.from(hkdfSync('sha256', pepper, 'keyward', 'webhook signing secrets', 32));
  return {
    seal(secret) {
      if (key === null) return secret;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return `${SEALED}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(stored) {
      if (!stored.startsWith(SEALED)) return stored;
      const fail = () =>
        new KeywardError('INTERNAL', 'a webhook secret was sealed with another pepper and cannot be opened');
      if (key === null) throw fail();
      const raw = Buffer.from(stored.slice(SEALED.length), 'base64url');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw fail();
      }
    },
  };
}
