import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateGatewayConfig } from './config.js';

// The routing files the repository ships: compose.yaml's gateway and the demo's.
const SHIPPED = ['deploy/gateway.yaml', 'examples/charging-api/gateway.yaml'];
const repoFile = (file: string): URL => new URL(`../../../../${file}`, import.meta.url);

describe('shipped gateway files', () => {
  for (const file of SHIPPED) {
    it(`${file} is a valid gateway config`, async () => {
      const result = validateGatewayConfig(await readFile(fileURLToPath(repoFile(file)), 'utf8'));
      expect(result).toMatchObject({ ok: true });
    });
  }

  it("compose.yaml's gateway listens on every interface, in front of the api service", async () => {
    const result = validateGatewayConfig(
      await readFile(fileURLToPath(repoFile('deploy/gateway.yaml')), 'utf8'),
    );
    if (!result.ok) throw new Error('invalid deploy/gateway.yaml');
    expect(result.config.listen).toEqual({ host: '0.0.0.0', port: 8788 });
    expect(result.config.upstreams.map((upstream) => upstream.url)).toEqual(['http://api:3000']);
  });
});
