import { describe, expect, it } from 'vitest';
import { encodeErrorResult, parseAbi } from 'viem';
import { revertReason, tokenIdToBigint } from '../../../sim/chain/chain-reads.ts';

describe('revertReason', () => {
  it.each([
    { description: 'an Error(string)', data: encodeErrorResult({ abi: parseAbi(['error Error(string)']), errorName: 'Error', args: ['pUSD: insufficient balance'] }), reason: 'pUSD: insufficient balance' },
    { description: 'a Panic', data: encodeErrorResult({ abi: parseAbi(['error Panic(uint256)']), errorName: 'Panic', args: [0x11n] }), reason: 'Panic(17)' },
    { description: 'empty revert data', data: '0x' as const, reason: 'no reason given' },
    { description: 'no data at all', data: undefined, reason: 'no reason given' },
    { description: 'a custom error it cannot decode', data: '0xdeadbeef' as const, reason: 'revert data 0xdeadbeef' },
  ])('reads $description', ({ data, reason }) => {
    expect(revertReason(data)).toBe(reason);
  });
});

describe('tokenIdToBigint', () => {
  it('keeps uint256 ids exact', () => {
    expect(tokenIdToBigint('0', 'x')).toBe(0n);
    expect(tokenIdToBigint((2n ** 256n - 1n).toString(), 'x')).toBe(2n ** 256n - 1n);
  });

  it.each(['', '01', '-1', '1.5', '0x10', ' 1', (2n ** 256n).toString()])('refuses %j naming where', (id) => {
    expect(() => tokenIdToBigint(id, 'balancesOf tokenIds[3]')).toThrow(`balancesOf tokenIds[3]: expected a token id as a canonical uint256 decimal string, got ${id}`);
  });
});
