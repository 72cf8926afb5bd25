import { describe, expect, it } from 'vitest';
import { addressAllowed, checkWebhookUrl, resolveAllowed } from './address-policy.js';
import { createSecretBox } from './secret-box.js';

describe('webhook address policy', () => {
  const cases: Array<[string, public_: boolean, loopback: boolean, private_: boolean]> = [
    ['93.184.216.34', true, true, true],
    ['2606:2800:220:1:248:1893:25c8:1946', true, true, true],
    ['127.0.0.1', false, true, true],
    ['::1', false, true, true],
    ['10.1.2.3', false, false, true],
    ['192.168.0.10', false, false, true],
    ['172.16.5.4', false, false, true],
    ['100.64.0.1', false, false, true],
    ['fd12:3456::1', false, false, true],
    ['::ffff:10.0.0.1', false, false, true],
    ['::ffff:127.0.0.1', false, true, true],
    ['169.254.169.254', false, false, false],
    ['fe80::1', false, false, false],
    ['0.0.0.0', false, false, false],
    ['255.255.255.255', false, false, false],
    ['224.0.0.1', false, false, false],
    ['2002:a00:1::1', false, false, false],
    ['not an address', false, false, false],
  ];
  it.each(cases)('%s: public %s, loopback %s, private %s', (address, pub, loop, priv) => {
    expect(addressAllowed(address, 'public')).toBe(pub);
    expect(addressAllowed(address, 'loopback')).toBe(loop);
    expect(addressAllowed(address, 'private')).toBe(priv);
  });

  it('accepts http(s) URLs only, without credentials or fragments', () => {
    expect(checkWebhookUrl('https://hooks.example.com/keyward?x=1').hostname).toBe('hooks.example.com');
    for (const bad of [
      'ftp://example.com/',
      'file:///etc/passwd',
      'https://u:p@example.com/',
      'https://e.com/#x',
      'nope',
    ]) {
      expect(() => checkWebhookUrl(bad, 'body.url')).toThrow(
        expect.objectContaining({ code: 'VALIDATION', field: 'body.url' }),
      );
    }
  });

  it('connects only to an allowed address among those a name resolves to', async () => {
    const resolve = async () => [
      { address: '10.0.0.5', family: 4 },
      { address: '93.184.216.34', family: 4 },
    ];
    await expect(resolveAllowed(new URL('https://hooks.test/'), 'public', resolve)).resolves.toEqual({
      address: '93.184.216.34',
      family: 4,
    });
    const internal = async () => [{ address: '169.254.169.254', family: 4 }];
    await expect(resolveAllowed(new URL('http://metadata.test/'), 'private', internal)).rejects.toThrow(
      /blocks/,
    );
    await expect(resolveAllowed(new URL('http://[::1]:8080/'), 'public')).rejects.toThrow(/blocks/);
    await expect(resolveAllowed(new URL('http://[::1]:8080/'), 'loopback')).resolves.toEqual({
      address: '::1',
      family: 6,
    });
  });
});

describe('webhook secret box', () => {
  it('seals with a key derived from the pepper, and opens only with it', () => {
    const box = createSecretBox('a pepper of at least thirty-two characters');
    const sealed = box.seal('whsec_abc');
    expect(sealed).toMatch(/^enc:v1:/);
    expect(sealed).not.toContain('whsec_abc');
    expect(box.seal('whsec_abc')).not.toBe(sealed);
    expect(box.open(sealed)).toBe('whsec_abc');
    expect(() => createSecretBox('another pepper of at least thirty-two chars').open(sealed)).toThrow(
      /another pepper/,
    );
    expect(() => createSecretBox(null).open(sealed)).toThrow(/another pepper/);
  });

  it('stores secrets as is without a pepper', () => {
    const box = createSecretBox(null);
    expect(box.seal('whsec_abc')).toBe('whsec_abc');
    expect(box.open('whsec_abc')).toBe('whsec_abc');
  });
});
