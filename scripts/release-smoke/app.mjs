// A plain-JavaScript (ES module) Express app outside the repository, protecting a route
// with @keyward/sdk in remote mode. Run by scripts/release-smoke.sh.
import { remoteVerifier } from '@keyward/sdk';
import { keyward } from '@keyward/sdk/express';
import express from 'express';

const verifier = remoteVerifier({ baseUrl: process.env.KEYWARD_URL, rootKey: process.env.KEYWARD_ROOT_KEY });
const app = express();
app.get('/stations', keyward({ verifier, permissions: 'stations:read' }), (req, res) => {
  res.json({ module: 'esm', keyId: req.keyward?.keyId, customer: req.keyward?.consumer?.externalId ?? null });
});
app.listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(`app.mjs listening on ${process.env.PORT}`),
);
