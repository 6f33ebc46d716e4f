/**
 * The exchange's view of what each address holds on chain: settled balances (moved only when a
 * trade is mined), with a time-stamped history so the Data API can answer as of a lagged time.
 */
import type { SettleOp } from './settlement.ts';

export const COLLATERAL = 'collateral';

interface Point {
  readonly atMs: number;
  readonly value: bigint;
}

export class BalanceBook {
  private readonly history = new Map<string, Point[]>();

  /** Sets a starting (or refreshed) balance. */
  set(owner: string, asset: string, value: bigint, atMs = 0): void {
    const k = key(owner, asset);
    const h = this.history.get(k) ?? [];
    h.push({ atMs, value });
    this.history.set(k, h);
  }

  get(owner: string, asset: string): bigint {
    const h = this.history.get(key(owner, asset));
    return h?.[h.length - 1]?.value ?? 0n;
  }

  /** The balance as it was at `atMs` (the last change at or before it). */
  at(owner: string, asset: string, atMs: number): bigint {
    const h = this.history.get(key(owner, asset)) ?? [];
    let v = 0n;
    for (const p of h) {
      if (p.atMs > atMs) break;
      v = p.value;
    }
    return v;
  }

  /** Every (owner, token) pair ever seen, for the positions endpoint. */
  tokenKeysOf(owner: string): string[] {
    const prefix = `${owner.toLowerCase()}|`;
    return [...this.history.keys()].filter((k) => k.startsWith(prefix) && !k.endsWith(`|${COLLATERAL}`)).map((k) => k.slice(prefix.length));
  }

  /** Applies mined settlement ops. `tokensOf` maps a condition id to its [yes, no] token ids. */
  apply(ops: readonly SettleOp[], atMs: number, tokensOf: (conditionId: string) => readonly [string, string]): void {
    const add = (owner: string, asset: string, d: bigint): void => this.set(owner, asset, this.get(owner, asset) + d, atMs);
    for (const op of ops) {
      if (op.kind === 'transfer') {
        const t = op.tokenId;
        add(op.seller, t, -op.shares);
        add(op.buyer, t, op.shares);
        add(op.buyer, COLLATERAL, -op.collateral);
        add(op.seller, COLLATERAL, op.collateral);
      } else {
        const [yes, no] = tokensOf(op.conditionId);
        const s = op.kind === 'mint' ? 1n : -1n;
        const y = op.kind === 'mint' ? op.yesBuyer : op.yesSeller;
        const n = op.kind === 'mint' ? op.noBuyer : op.noSeller;
        add(y, COLLATERAL, -s * op.yesCollateral);
        add(n, COLLATERAL, -s * op.noCollateral);
        add(y, yes, s * op.shares);
        add(n, no, s * op.shares);
      }
    }
  }
}

const key = (owner: string, asset: string): string => `${owner.toLowerCase()}|${asset}`;
