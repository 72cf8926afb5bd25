import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { cannotReach, serverAddress } from './server-url.js';

describe('serverAddress', () => {
  it('takes --url, then KEYWARD_URL, then KEYWARD_HOST/KEYWARD_PORT, then the default', () => {
    const env = { KEYWARD_URL: 'http://env.example:1/', KEYWARD_PORT: '9000' };
    expect(serverAddress('https://flag.example/', env)).toEqual({
      url: 'https://flag.example',
      source: '--url',
    });
    expect(serverAddress(undefined, env)).toEqual({ url: 'http://env.example:1', source: 'KEYWARD_URL' });
    expect(serverAddress(undefined, { KEYWARD_PORT: '9000' })).toEqual({
      url: 'http://127.0.0.1:9000',
      source: 'KEYWARD_HOST/KEYWARD_PORT',
    });
    expect(serverAddress(undefined, {})).toEqual({ url: 'http://127.0.0.1:8787', source: 'the default' });
  });

  it.each([
    [{ KEYWARD_HOST: '0.0.0.0', KEYWARD_PORT: '9000' }, 'http://127.0.0.1:9000'],
    [{ KEYWARD_HOST: '::' }, 'http://[::1]:8787'],
    [{ KEYWARD_HOST: '::1', KEYWARD_PORT: '81' }, 'http://[::1]:81'],
    [{ KEYWARD_HOST: 'keyward.internal' }, 'http://keyward.internal:8787'],
    [{ KEYWARD_HOST: '10.0.0.7', KEYWARD_PORT: '' }, 'http://10.0.0.7:8787'],
  ])('finds the server the way it listens: %o', (env, url) => {
    expect(serverAddress(undefined, env).url).toBe(url);
  });

  it('refuses what cannot be reached: port 0, a bad port, credentials in a URL', () => {
    expect(() => serverAddress(undefined, { KEYWARD_PORT: '0' })).toThrow(
      'KEYWARD_PORT is "0": the CLI needs the port keyward listens on (or --url / KEYWARD_URL)',
    );
    expect(() => serverAddress(undefined, { KEYWARD_PORT: '70000' })).toThrow(/KEYWARD_PORT is "70000"/);
    expect(() => serverAddress(undefined, { KEYWARD_URL: 'http://u:p@host' })).toThrow(
      /^KEYWARD_URL must be an http:\/\/ or https:\/\/ URL without credentials/,
    );
    expect(() => serverAddress('ftp://host', {})).toThrow(/^--url must be/);
  });
});

describe('a server that cannot be reached', () => {
  it('is named with where the address came from and every way to change it', () => {
    expect(
      cannotReach({ url: 'http://127.0.0.1:9', source: 'KEYWARD_HOST/KEYWARD_PORT' }, 'is keyward running?'),
    ).toBe(
      'cannot reach http://127.0.0.1:9 (from KEYWARD_HOST/KEYWARD_PORT): is keyward running?; ' +
        'point the CLI at keyward with --url or KEYWARD_URL, or the KEYWARD_HOST/KEYWARD_PORT it listens on',
    );
  });

  it('follows KEYWARD_PORT to a closed port and says so in one line', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));

    const err: string[] = [];
    const code = await runCli(['node', 'keyward', 'apis', 'list'], {
      env: { KEYWARD_PORT: String(port), KEYWARD_ROOT_KEY: 'kwroot_test' },
      out: () => {},
      err: (line) => err.push(line),
      fetch,
    });
    expect(code).toBe(1);
    expect(err).toEqual([
      `keyward: cannot reach http://127.0.0.1:${port} (from KEYWARD_HOST/KEYWARD_PORT): is keyward running?; ` +
        'point the CLI at keyward with --url or KEYWARD_URL, or the KEYWARD_HOST/KEYWARD_PORT it listens on',
    ]);
  });
});
