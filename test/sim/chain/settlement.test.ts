import { describe, expect, it } from 'vitest';
import { decodeFunctionData, type Address, type Hex } from 'viem';
import {
  SettlementError, checkSettlement, ctfSettleAbi, erc20SettleAbi, resolveOps, settlementCalls, stateQueries,
  type SettlementOp, type SettlementState,
} from '../../../sim/chain/settlement.ts';

const A: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const B: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const X: Address = '0xE111180000d2663C0091e4f400237545B87B996B';
const NX: Address = '0xe2222d279d744050d28e00520010520000310F59';
const contracts = { ctf: '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045', collateral: '0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB', exchange: X, negRiskExchange: NX } as const;
const C1: Hex = `0x${'11'.repeat(32)}`;
const C2: Hex = `0x${'22'.repeat(32)}`;
const markets = [
  { conditionId: C1, tokens: ['101', '102'] as const, negRisk: false },
  { conditionId: C2, tokens: ['201', '202'] as const, negRisk: true },
];
const MAX = 2n ** 256n - 1n;
const k = (o: string, t?: string) => (t === undefined ? o.toLowerCase() : `${o.toLowerCase()}:${t}`);

/** Both accounts hold 10 of every token and 100 of collateral, with everything approved to both exchanges. */
function funded(over: Partial<Record<'tokens' | 'collateral' | 'approvedForAll' | 'allowance', [string, bigint | boolean][]>> = {}): SettlementState {
  const s: SettlementState = { tokens: new Map(), collateral: new Map(), approvedForAll: new Map(), allowance: new Map() };
  for (const o of [A, B]) {
    for (const t of ['101', '102', '201', '202']) s.tokens.set(k(o, t), 10n);
    s.collateral.set(k(o), 100n);
    for (const x of [X, NX]) {
      s.approvedForAll.set(k(o, x.toLowerCase()), true);
      s.allowance.set(k(o, x.toLowerCase()), MAX);
    }
  }
  for (const [key, v] of over.tokens ?? []) s.tokens.set(key, v as bigint);
  for (const [key, v] of over.collateral ?? []) s.collateral.set(key, v as bigint);
  for (const [key, v] of over.approvedForAll ?? []) s.approvedForAll.set(key, v as boolean);
  for (const [key, v] of over.allowance ?? []) s.allowance.set(key, v as bigint);
  return s;
}

const transfer = (over: Partial<Extract<SettlementOp, { kind: 'transfer' }>> = {}): SettlementOp =>
  ({ kind: 'transfer', seller: A, buyer: B, tokenId: '101', shares: 4n, collateral: 3n, ...over });
const mint = (over: Partial<Extract<SettlementOp, { kind: 'mint' }>> = {}): SettlementOp =>
  ({ kind: 'mint', conditionId: C1, yesBuyer: A, noBuyer: B, shares: 5n, yesCollateral: 2n, noCollateral: 3n, ...over });
const merge = (over: Partial<Extract<SettlementOp, { kind: 'merge' }>> = {}): SettlementOp =>
  ({ kind: 'merge', conditionId: C2, yesSeller: A, noSeller: B, shares: 5n, yesCollateral: 2n, noCollateral: 3n, ...over });

function rejection(fn: () => unknown): SettlementError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SettlementError);
    return err as SettlementError;
  }
  throw new Error('expected a SettlementError, got none');
}

describe('resolveOps', () => {
  it('picks the standard exchange for standard markets and the neg-risk one for neg-risk markets', () => {
    const r = resolveOps([transfer(), merge(), transfer({ tokenId: '202' })], markets, contracts);
    expect(r.map((o) => o.operator)).toEqual([X, NX, NX]);
    expect(r.map((o) => o.index)).toEqual([0, 1, 2]);
  });

  it('checksums lower-case addresses and matches condition ids case-insensitively', () => {
    const [r] = resolveOps([mint({ yesBuyer: A.toLowerCase() as Address, conditionId: C1.toUpperCase().replace('0X', '0x') as Hex })], markets, contracts);
    expect(r?.kind === 'mint' && r.yesBuyer).toBe(A);
  });

  it.each([
    { description: 'no ops', ops: [], message: 'expected at least one op' },
    { description: 'an unknown token', ops: [transfer({ tokenId: '999' })], message: 'op 0 (transfer): expected tokenId' },
    { description: 'a non-canonical token id', ops: [transfer({ tokenId: '0101' })], message: 'got 0101' },
    { description: 'zero shares', ops: [transfer({ shares: 0n })], message: 'positive bigint of micro-units at shares, got 0' },
    { description: 'a number instead of a bigint', ops: [transfer({ collateral: 3 as unknown as bigint })], message: 'at collateral, got 3' },
    { description: 'a bad address', ops: [transfer(), transfer({ buyer: '0x1234' as Address })], message: 'op 1 (transfer): expected an address at buyer, got 0x1234' },
    { description: 'the zero address', ops: [mint({ noBuyer: `0x${'00'.repeat(20)}` })], message: 'op 0 (mint): expected a non-zero address at noBuyer, got the zero address' },
    { description: 'an unknown condition', ops: [mint({ conditionId: `0x${'33'.repeat(32)}` })], message: 'expected conditionId to be one of' },
    { description: 'a mint whose collateral does not cover the split', ops: [mint({ yesCollateral: 1n })], message: 'cover the 5 (0.000005) shares minted, got 4' },
    { description: 'a merge paying out more than it releases', ops: [merge({ noCollateral: 4n })], message: 'at most the 5 (0.000005) collateral a merge releases, got 6' },
    { description: 'an unknown kind', ops: [{ kind: 'burn' } as unknown as SettlementOp], message: 'expected kind transfer, mint or merge, got burn' },
  ])('refuses $description, naming the op and field', ({ ops, message }) => {
    const err = rejection(() => resolveOps(ops, markets, contracts));
    expect(err.code).toBe('SIM_CHAIN_OP_INVALID');
    expect(err.message).toContain(message);
  });
});

describe('checkSettlement', () => {
  const check = (ops: SettlementOp[], state = funded()) => checkSettlement(resolveOps(ops, markets, contracts), state);

  it('moves tokens seller → buyer and collateral buyer → seller for a transfer', () => {
    const s = check([transfer()]);
    expect([s.tokens.get(k(A, '101')), s.tokens.get(k(B, '101')), s.collateral.get(k(A)), s.collateral.get(k(B))]).toEqual([6n, 14n, 103n, 97n]);
  });

  it('mints both outcomes from both buyers\' collateral, leaving any surplus with the exchange', () => {
    const s = check([mint({ yesCollateral: 3n, noCollateral: 3n })]);
    expect([s.tokens.get(k(A, '101')), s.tokens.get(k(B, '102')), s.collateral.get(k(A)), s.collateral.get(k(B))]).toEqual([15n, 15n, 97n, 97n]);
    expect([s.tokens.get(k(X, '101')) ?? 0n, s.tokens.get(k(X, '102')) ?? 0n, s.collateral.get(k(X))]).toEqual([0n, 0n, 1n]);
  });

  it('merges both sellers\' tokens and pays each their collateral', () => {
    const s = check([merge()]);
    expect([s.tokens.get(k(A, '201')), s.tokens.get(k(B, '202')), s.collateral.get(k(A)), s.collateral.get(k(B))]).toEqual([5n, 5n, 102n, 103n]);
    expect([s.tokens.get(k(NX, '201')), s.tokens.get(k(NX, '202')), s.collateral.get(k(NX))]).toEqual([0n, 0n, 0n]);
  });

  it('checks later ops against what earlier ops left', () => {
    expect(() => check([transfer({ shares: 10n }), transfer({ shares: 1n })])).toThrow(/op 1 \(transfer\): expected seller .* at least 1 \(0\.000001\) of token 101…101, got 0 \(0\)/);
    const s = check([transfer({ shares: 10n }), transfer({ seller: B, buyer: A, shares: 20n, collateral: 0n })]);
    expect(s.tokens.get(k(A, '101'))).toBe(20n);
  });

  it.each([
    { description: 'a seller short of tokens', ops: [transfer({ shares: 11n })], state: funded(), message: 'expected seller 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 to hold at least 11' },
    { description: 'a buyer short of collateral', ops: [transfer({ collateral: 101n })], state: funded(), message: 'expected buyer 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC to hold at least 101 (0.000101) of collateral, got 100' },
    { description: 'a seller without approval', ops: [transfer()], state: funded({ approvedForAll: [[k(A, X.toLowerCase()), false]] }), message: 'to have approved exchange 0xE111180000d2663C0091e4f400237545B87B996B' },
    { description: 'a buyer with too small an allowance', ops: [transfer()], state: funded({ allowance: [[k(B, X.toLowerCase()), 2n]] }), message: 'to allow exchange 0xE111180000d2663C0091e4f400237545B87B996B at least 3' },
    { description: 'a spent allowance on the second op', ops: [transfer({ collateral: 2n }), transfer({ collateral: 2n })], state: funded({ allowance: [[k(B, X.toLowerCase()), 3n]] }), message: 'op 1 (transfer)' },
    { description: 'a NO buyer short of collateral', ops: [mint({ noCollateral: 300n })], state: funded(), message: 'expected noBuyer' },
    { description: 'a NO seller short of NO tokens', ops: [merge()], state: funded({ tokens: [[k(B, '202'), 4n]] }), message: 'expected noSeller 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC to hold at least 5 (0.000005) of token 202…202, got 4' },
  ])('refuses $description before anything is sent', ({ ops, state, message }) => {
    const err = rejection(() => check(ops, state));
    expect(err.code).toBe('SIM_CHAIN_SETTLE_REJECTED');
    expect(err.message).toContain(message);
    expect(err.message).toContain('nothing was settled');
  });

  it('does not modify the state it was given', () => {
    const s = funded();
    check([transfer(), mint(), merge()], s);
    expect(s.tokens.get(k(A, '101'))).toBe(10n);
    expect(s.collateral.get(k(B))).toBe(100n);
  });
});

describe('stateQueries and settlementCalls', () => {
  it('asks for every balance and approval the check reads, once each', () => {
    const q = stateQueries(resolveOps([transfer(), transfer()], markets, contracts));
    expect(q.tokens).toEqual([[X, '101'], [X, '102'], [A, '101'], [B, '101']]);
    expect(q.collateral).toEqual([X, A, B]);
    expect(q.approvals).toEqual([[A, X], [B, X]]);
  });

  it('encodes a transfer as safeTransferFrom and transferFrom sent by the exchange, skipping zero collateral', () => {
    const calls = settlementCalls(resolveOps([transfer(), transfer({ collateral: 0n })], markets, contracts), contracts);
    expect(calls.map((c) => [c.from, c.to, c.label])).toEqual([
      [X, contracts.ctf, 'op 0 transfer: tokens seller → buyer'],
      [X, contracts.collateral, 'op 0 transfer: collateral buyer → seller'],
      [X, contracts.ctf, 'op 1 transfer: tokens seller → buyer'],
    ]);
    expect(decodeFunctionData({ abi: ctfSettleAbi, data: calls[0]!.data }).args).toEqual([A, B, 101n, 4n, '0x']);
    expect(decodeFunctionData({ abi: erc20SettleAbi, data: calls[1]!.data }).args).toEqual([B, A, 3n]);
  });

  it('encodes a mint as pull, split, hand out and a merge as take, merge, pay', () => {
    const labels = (op: SettlementOp) => settlementCalls(resolveOps([op], markets, contracts), contracts).map((c) => `${c.from === NX ? 'NX' : 'X'} ${c.label}`);
    expect(labels(mint())).toEqual([
      'X op 0 mint: collateral yesBuyer → exchange', 'X op 0 mint: collateral noBuyer → exchange', 'X op 0 mint: splitPosition',
      'X op 0 mint: YES exchange → yesBuyer', 'X op 0 mint: NO exchange → noBuyer',
    ]);
    expect(labels(merge({ yesCollateral: 0n }))).toEqual([
      'NX op 0 merge: YES yesSeller → exchange', 'NX op 0 merge: NO noSeller → exchange', 'NX op 0 merge: mergePositions',
      'NX op 0 merge: collateral exchange → noSeller',
    ]);
    const split = settlementCalls(resolveOps([mint()], markets, contracts), contracts)[2]!;
    expect(decodeFunctionData({ abi: ctfSettleAbi, data: split.data }).args).toEqual([contracts.collateral, `0x${'00'.repeat(32)}`, C1, [1n, 2n], 5n]);
  });
});
