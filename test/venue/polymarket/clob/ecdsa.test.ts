import fc from 'fast-check';
import { keccak256, recoverAddress, type Hex } from 'viem';
import { privateKeyToAddress, sign } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { Secp256k1Key } from '../../../../plugins/venue/polymarket/clob/ecdsa.ts';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const key = fc.bigInt({ min: 1n, max: N - 1n }).map((d) => `0x${d.toString(16).padStart(64, '0')}` as Hex);
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('secp256k1 signing', () => {
  it('gives exactly viem\'s RFC 6979 low-S signature on random keys and digests', async () => {
    await fc.assert(
      fc.asyncProperty(key, digest, async (pk, d) => {
        const hash = `0x${Buffer.from(d).toString('hex')}` as Hex;
        expect(new Secp256k1Key(pk).sign(d)).toBe(await sign({ hash, privateKey: pk, to: 'hex' }));
      }),
      { numRuns: 300, seed: 99 },
    );
  });

  it('signs so that the signer address is recovered, at the scalar edges too', async () => {
    for (const pk of ['0x' + '0'.repeat(63) + '1', `0x${(N - 1n).toString(16)}`, `0x${(N >> 1n).toString(16)}`] as Hex[]) {
      const hash = keccak256('0x1234');
      const sig = new Secp256k1Key(pk).sign(Buffer.from(hash.slice(2), 'hex'));
      expect(await recoverAddress({ hash, signature: sig })).toBe(privateKeyToAddress(pk));
    }
  });

  it('signs a digest that is a view into a larger buffer like the same bytes on their own', () => {
    const pk: Hex = `0x${'11'.repeat(32)}`;
    const big = new Uint8Array(96).map((_, i) => i);
    expect(new Secp256k1Key(pk).sign(big.subarray(32, 64))).toBe(new Secp256k1Key(pk).sign(big.slice(32, 64)));
  });

  it('refuses an out-of-range or malformed key without showing it', () => {
    for (const bad of [`0x${N.toString(16)}`, `0x${'0'.repeat(64)}`, `0x${'ab'.repeat(31)}`]) {
      let msg = '';
      try {
        new Secp256k1Key(bad as Hex);
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).toMatch(/\(value not shown\)/);
      expect(msg).not.toContain(bad.slice(2, 20));
    }
  });
});
