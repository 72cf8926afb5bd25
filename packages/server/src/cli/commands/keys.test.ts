import { describe, expect, it } from 'vitest';
import { createKeyBody } from './keys.js';

describe('keys create flags', () => {
  it('--publishable asks for a publishable key; without it the server default (secret) applies', () => {
    expect(createKeyBody({ api: 'api_1', publishable: true }, 0)).toEqual({
      apiId: 'api_1',
      kind: 'publishable',
    });
    expect(createKeyBody({ api: 'api_1' }, 0)).toEqual({ apiId: 'api_1' });
  });
});
