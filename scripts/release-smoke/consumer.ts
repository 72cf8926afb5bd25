// A TypeScript consumer of the published SDK, type-checked (not run) under
// `moduleResolution` node16, nodenext and bundler by scripts/release-smoke.sh.
import type { VerifyCode } from '@keyward/protocol';
import { createClient, type KeywardIdentity, remoteVerifier, type Verifier } from '@keyward/sdk';
import { keyward } from '@keyward/sdk/express';
import { type LocalEngine, localVerifier } from '@keyward/sdk/local';
import express from 'express';

const verifier: Verifier = remoteVerifier({ baseUrl: 'http://127.0.0.1:8787', rootKey: 'kwroot_example' });
// @ts-expect-error baseUrl must be a string: proves the declarations are real types, not `any`
remoteVerifier({ baseUrl: 8787, rootKey: 'kwroot_example' });

const app = express();
app.get('/stations', keyward({ verifier, permissions: 'stations:read' }), (req, res) => {
  const caller: KeywardIdentity | undefined = req.keyward;
  res.json({ keyId: caller?.keyId ?? null });
});

const client = createClient({ baseUrl: 'http://127.0.0.1:8787', rootKey: 'kwroot_example' });
export async function issueAndVerify(apiId: string): Promise<VerifyCode> {
  const { key } = await client.keys.create({ apiId, permissions: ['stations:read'] });
  const { code } = await client.keys.verify({ key, permissions: 'stations:read' });
  return code;
}

// Local mode needs only an engine's shape at the type level (@keyward/core is not installed here).
declare const engine: LocalEngine;
export const local: Verifier = localVerifier(engine);
