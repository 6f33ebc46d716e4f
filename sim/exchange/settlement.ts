/**
 * How the exchange settles trades: the contract of the sibling `sim/chain/` module (SimChain), plus
 * an in-memory implementation for unit tests. Amounts are bigint micro-units; all ops of one call
 * land together (one block) or not at all.
 */
import { keccak256, toHex } from 'viem';
import { PolyquoteError } from '../../core/errors.ts';

export type SettleOp =
  | { readonly kind: 'transfer'; readonly seller: string; readonly buyer: string; readonly tokenId: string; readonly shares: bigint; readonly collateral: bigint }
  | { readonly kind: 'mint'; readonly conditionId: string; readonly yesBuyer: string; readonly noBuyer: string; readonly shares: bigint; readonly yesCollateral: bigint; readonly noCollateral: bigint }
  | { readonly kind: 'merge'; readonly conditionId: string; readonly yesSeller: string; readonly noSeller: string; readonly shares: bigint; readonly yesCollateral: bigint; readonly noCollateral: bigint };

export interface SettleResult {
  readonly transactionHash: string;
}

/** What the exchange needs from the chain. */
export interface Settlement {
  settle(ops: readonly SettleOp[]): Promise<SettleResult>;
  balanceOf(owner: string, tokenId: string): Promise<bigint>;
  collateralOf(owner: string): Promise<bigint>;
}

/** The chain, in memory: balances per owner, the same all-or-nothing semantics, fake tx hashes. */
export class MemorySettlement implements Settlement {
  private readonly tokens = new Map<string, bigint>();
  private readonly cash = new Map<string, bigint>();
  private txCount = 0;
  /** Settle calls seen, in order (tests inspect them). */
  readonly calls: SettleOp[][] = [];
  /** When set, the next settle calls throw this many times (an RPC outage). */
  failNext = 0;

  constructor(private readonly marketTokens: ReadonlyMap<string, readonly [string, string]>) {}

  fund(owner: string, collateral: bigint, tokens: readonly (readonly [string, bigint])[] = []): void {
    const o = owner.toLowerCase();
    this.cash.set(o, (this.cash.get(o) ?? 0n) + collateral);
    for (const [id, n] of tokens) this.tokens.set(`${o}|${id}`, (this.tokens.get(`${o}|${id}`) ?? 0n) + n);
  }

  async balanceOf(owner: string, tokenId: string): Promise<bigint> {
    return this.tokens.get(`${owner.toLowerCase()}|${tokenId}`) ?? 0n;
  }

  async collateralOf(owner: string): Promise<bigint> {
    return this.cash.get(owner.toLowerCase()) ?? 0n;
  }

  async settle(ops: readonly SettleOp[]): Promise<SettleResult> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new PolyquoteError('SIM_RPC_ERROR', 'memory settlement: injected RPC failure', { errorClass: 'retryable' });
    }
    const tokens = new Map(this.tokens);
    const cash = new Map(this.cash);
    const move = (m: Map<string, bigint>, k: string, d: bigint): void => {
      const v = (m.get(k) ?? 0n) + d;
      if (v < 0n) throw new PolyquoteError('SIM_SETTLE_INSUFFICIENT', `settlement would make ${k} negative (${v})`);
      m.set(k, v);
    };
    for (const op of ops) {
      if (op.kind === 'transfer') {
        move(tokens, `${op.seller.toLowerCase()}|${op.tokenId}`, -op.shares);
        move(tokens, `${op.buyer.toLowerCase()}|${op.tokenId}`, op.shares);
        move(cash, op.buyer.toLowerCase(), -op.collateral);
        move(cash, op.seller.toLowerCase(), op.collateral);
      } else {
        const pair = this.marketTokens.get(op.conditionId.toLowerCase());
        if (!pair) throw new PolyquoteError('SIM_SETTLE_MARKET', `unknown condition ${op.conditionId}`);
        const [yes, no] = pair;
        const sign = op.kind === 'mint' ? 1n : -1n;
        const yesParty = (op.kind === 'mint' ? op.yesBuyer : op.yesSeller).toLowerCase();
        const noParty = (op.kind === 'mint' ? op.noBuyer : op.noSeller).toLowerCase();
        move(cash, yesParty, -sign * op.yesCollateral);
        move(cash, noParty, -sign * op.noCollateral);
        move(tokens, `${yesParty}|${yes}`, sign * op.shares);
        move(tokens, `${noParty}|${no}`, sign * op.shares);
      }
    }
    this.tokens.clear();
    for (const [k, v] of tokens) this.tokens.set(k, v);
    this.cash.clear();
    for (const [k, v] of cash) this.cash.set(k, v);
    this.calls.push([...ops]);
    return { transactionHash: keccak256(toHex(`memory-tx-${++this.txCount}`)) };
  }
}
