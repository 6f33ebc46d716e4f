/** The one token-id test every reader uses: the canonical decimal form of a uint256, and nothing else. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTokenId } from '../../core/token-id.ts';

const MAX = (1n << 256n) - 1n;
/** The obvious definition: digits without a leading zero, read back as the same number, at most 2^256 − 1. */
const reference = (v: unknown) => typeof v === 'string' && /^(0|[1-9]\d*)$/.test(v) && BigInt(v) <= MAX;

describe('isTokenId', () => {
  it.each([
    ['0', true], ['7', true], [MAX.toString(), true], [(MAX + 1n).toString(), false], ['1'.padEnd(78, '0'), true], ['2'.padEnd(78, '0'), false],
    ['01', false], ['-1', false], ['+1', false], ['1.0', false], [' 1', false], ['1 ', false], ['', false], ['0x1f', false], ['1e3', false], ['١٢', false],
  ])('%s → %s', (v, want) => {
    expect(isTokenId(v)).toBe(want);
  });

  it('reads only strings', () => {
    for (const v of [7, 7n, null, undefined, {}, ['7']]) expect(isTokenId(v)).toBe(false);
  });

  it('agrees with the definition whatever came before (the last accepted id is remembered)', () => {
    const near = fc.oneof(
      fc.bigInt({ min: 0n, max: MAX + 10n }).map(String),
      fc.stringMatching(/^[0-9]{0,80}$/),
      fc.bigInt({ min: MAX - 5n, max: MAX + 5n }).map(String),
      fc.stringMatching(/^[-+0 ]?[0-9]{1,78}[ x]?$/),
    );
    fc.assert(fc.property(fc.array(near, { minLength: 1, maxLength: 8 }), (ids) => {
      // Each id twice in a row (the second is the remembered case), then the list again.
      for (const v of [...ids.flatMap((v) => [v, v]), ...ids]) expect(isTokenId(v)).toBe(reference(v));
    }), { numRuns: 3_000 });
  });
});
