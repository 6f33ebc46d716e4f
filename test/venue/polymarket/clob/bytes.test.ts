import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytesInto, keccak, writeSafeUint, writeUint } from '../../../../plugins/venue/polymarket/clob/bytes.ts';
import { keccak256 } from 'viem';

const word = (v: bigint) => `0x${v.toString(16).padStart(64, '0')}`;

describe('ABI byte helpers', () => {
  it('write uint256 words big-endian over the whole range, overwriting what the word held before', () => {
    const buf = new Uint8Array(96).fill(0xff);
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 256n) - 1n })), (v) => {
        writeUint(buf, 32, v);
        expect(bytesToHex(buf.subarray(32, 64))).toBe(word(v));
        expect(buf[31]).toBe(0xff);
        expect(buf[64]).toBe(0xff);
      }),
      { numRuns: 400, seed: 5 },
    );
    expect(() => writeUint(buf, 0, 1n << 256n)).toThrow(RangeError);
    expect(() => writeUint(buf, 0, -1n)).toThrow(RangeError);
  });

  it('write safe integers exactly like their bigint words', () => {
    const buf = new Uint8Array(64).fill(0xee);
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 2 ** 32 }), fc.maxSafeNat()), (v) => {
        writeSafeUint(buf, 16, v);
        expect(bytesToHex(buf.subarray(16, 48))).toBe(word(BigInt(v)));
      }),
      { numRuns: 400, seed: 6 },
    );
    writeSafeUint(buf, 0, Number.MAX_SAFE_INTEGER);
    expect(bytesToHex(buf.subarray(0, 32))).toBe(word(2n ** 53n - 1n));
  });

  it('hash like viem\'s keccak256 and round-trip hex, views into larger buffers included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(8), (bytes, cut) => {
        const view = bytes.subarray(Math.min(cut, bytes.length));
        expect(bytesToHex(keccak(view))).toBe(keccak256(view));
        const back = new Uint8Array(view.length);
        hexToBytesInto(bytesToHex(view), back, 0);
        expect(back).toEqual(view);
      }),
      { numRuns: 200, seed: 7 },
    );
    expect(() => hexToBytesInto('0xzz', new Uint8Array(1), 0)).toThrow(/invalid hex/);
  });
});
