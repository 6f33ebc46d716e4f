import { describe, expect, it } from 'vitest';
import { WELL_KNOWN_DEV_KEYS, deriveDevAccount, devAccount } from '../../../sim/chain/dev-keys.ts';

describe('anvil dev keys', () => {
  it('tables exactly the keys the mnemonic derives, with their addresses', () => {
    expect(WELL_KNOWN_DEV_KEYS).toHaveLength(10);
    for (let i = 0; i < WELL_KNOWN_DEV_KEYS.length; i++) expect(devAccount(i)).toEqual(deriveDevAccount(i));
    expect(devAccount(9).address).toBe('0xa0Ee7A142d267C1f36714E4a8F75612F20a79720');
  });

  it('derives beyond the table and refuses a bad index', () => {
    expect(devAccount(10)).toEqual(deriveDevAccount(10));
    expect(devAccount(10).address).toBe('0xBcd4042DE499D14e55001CcbB24a551F3b954096');
    expect(() => devAccount(-1)).toThrow('expected a dev account index ≥ 0, got -1');
  });
});
