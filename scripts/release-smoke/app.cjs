// The same app as CommonJS: Node.js 22.12+ require()s the SDK's ES modules.
const { remoteVerifier } = require('@keyward/sdk');
const { keyward } = require('@keyward/sdk/express');
const express = require('express');

const verifier = remoteVerifier({ baseUrl: process.env.KEYWARD_URL, rootKey: process.env.KEYWARD_ROOT_KEY });
const app = express();
app.get('/stations', keyward({ verifier, permissions: 'stations:read' }), (req, res) => {
  res.json({ module: 'cjs', keyId: req.keyward?.keyId, customer: req.keyward?.consumer?.externalId ?? null });
});
app.listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(`app.cjs listening on ${process.env.PORT}`),
);
