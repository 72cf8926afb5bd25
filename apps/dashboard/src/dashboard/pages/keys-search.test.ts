import { describe, expect, it } from 'vitest';
import { searchTerm } from './keys.js';

describe('searchTerm', () => {
  it('turns a pasted key into its hint, so that the search never sends a secret', () => {
    const key = `amp_live_${'Ab3x'}${'k'.repeat(28)}${'9fQ2'}`;
    expect(key).toHaveLength('amp_live_'.length + 36);
    expect(searchTerm(`  ${key} `)).toBe('amp_live_Ab3x…9fQ2');
  });

  it('leaves names, hints, ids and external ids as typed (trimmed)', () => {
    expect(searchTerm(' acme production ')).toBe('acme production');
    expect(searchTerm('amp_live_Ab3x…9fQ2')).toBe('amp_live_Ab3x…9fQ2');
    expect(searchTerm('key_0357Uzv4sE4wOtoTgTbG2b')).toBe('key_0357Uzv4sE4wOtoTgTbG2b');
    // One character short of a key: not a key.
    expect(searchTerm(`amp_live_${'k'.repeat(35)}`)).toBe(`amp_live_${'k'.repeat(35)}`);
  });
});
