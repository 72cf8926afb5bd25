import { describe, expect, it } from 'vitest';
import { unsupportedNodeNotice } from './node-support.js';

describe('unsupportedNodeNotice', () => {
  it('is silent on the supported lines', () => {
    for (const version of ['22.12.0', '22.23.3', '23.1.0', '24.0.0', '24.21.0', '26.0.0']) {
      expect(unsupportedNodeNotice(version)).toBeNull();
    }
  });

  it('says Node.js 20 is past its end of life', () => {
    expect(unsupportedNodeNotice('20.20.2')).toBe(
      'Node.js 20 is past its end of life (April 2026) and unsupported: keyward supports Node.js 22 (22.12 or newer) and 24',
    );
  });

  it('names any other unsupported version, including 22 before 22.12', () => {
    expect(unsupportedNodeNotice('22.11.0')).toMatch(/^Node\.js 22\.11\.0 is unsupported: /);
    expect(unsupportedNodeNotice('18.20.4')).toMatch(/^Node\.js 18\.20\.4 is unsupported: /);
  });
});
