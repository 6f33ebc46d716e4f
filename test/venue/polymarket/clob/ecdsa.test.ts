import fc from 'fast-check';
import { keccak256, recoverAddress, type Hex } from 'viem';
import { privateKeyToAddress, sign } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { Secp256k1Key, invert, invertSlow, mulG } from '../../../../plugins/venue/polymarket/clob/ecdsa.ts';

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

  it('computes k·G for small and large scalars (1·G is the generator, (n−1)·G its negation)', () => {
    expect(mulG(1n)).toEqual({ x: 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n, y: 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n });
    const neg = mulG(N - 1n);
    expect(neg.x).toBe(mulG(1n).x);
    expect(neg.y).toBe(0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn - mulG(1n).y);
  });

  it('inverts modulo n and p (Lehmer) exactly like the plain extended Euclid', () => {
    const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: N - 1n }), fc.boolean(), (a, useP) => {
        const m = useP ? P : N;
        const inv = invert(a, m);
        return inv === invertSlow(a, m) && (a * inv) % m === 1n;
      }),
      { numRuns: 500 },
    );
    for (const a of [1n, 2n, N - 1n, 2n ** 128n]) expect(invert(a, N)).toBe(invertSlow(a, N));
  });

  it('refuses an out-of-range key without showing it', () => {
    expect(() => new Secp256k1Key(`0x${N.toString(16)}`)).toThrow(/out of range \(value not shown\)/);
  });
});
