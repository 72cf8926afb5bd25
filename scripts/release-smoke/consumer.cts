// A CommonJS TypeScript consumer: `require` of the SDK's ES modules, which TypeScript
// accepts under `module: nodenext` (as Node.js 22.12+ does at run time).
import sdk = require('@keyward/sdk');
import expressSdk = require('@keyward/sdk/express');

const verifier: sdk.Verifier = sdk.remoteVerifier({
  baseUrl: 'http://127.0.0.1:8787',
  rootKey: 'kwroot_example',
});
export const middleware = expressSdk.keyward({ verifier, permissions: 'stations:read' });
