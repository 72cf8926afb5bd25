import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { UsageEvent } from '@keyward/core';
import { type Dispatcher, request } from 'undici';
import { type RunningGateway, type StartGatewayOptions, startGateway } from '../start-gateway.js';
import type { KeyFixture } from './test-keys.js';

export interface TestGateway {
  gateway: RunningGateway;
  /** The routing file; tests rewrite it to exercise hot reload. */
  file: string;
  /** Usage events for public routes. */
  publicUsage: UsageEvent[];
  close(): Promise<void>;
}

/** Starts a gateway on a free loopback port with `yaml` as its routing file. */
export async function startTestGateway(
  fixture: KeyFixture,
  yaml: string,
  options: Partial<Omit<StartGatewayOptions, 'file' | 'engine'>> = {},
): Promise<TestGateway> {
  const dir = await mkdtemp(path.join(tmpdir(), 'keyward-gateway-config-'));
  const file = path.join(dir, 'gateway.yaml');
  await writeFile(file, yaml);
  const publicUsage: UsageEvent[] = [];
  try {
    const gateway = await startGateway({
      file,
      engine: fixture.engine,
      listen: { host: '127.0.0.1', port: 0 },
      watch: false,
      usage: { record: (event) => publicUsage.push(event) },
      ...options,
    });
    return {
      gateway,
      file,
      publicUsage,
      close: async () => {
        await gateway.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => unknown;
}

/** One request with a fresh connection-less client; `headers` may be an array to send a field twice. */
export async function call(
  url: string,
  options: {
    method?: Dispatcher.HttpMethod;
    headers?: Record<string, string> | string[];
    body?: string;
  } = {},
): Promise<CallResult> {
  const response = await request(url, {
    method: options.method ?? 'GET',
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) };
}
