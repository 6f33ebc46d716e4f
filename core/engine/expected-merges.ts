/**
 * Capital recycling's bookkeeping: merges we sent and have not yet seen on chain. A merge makes both
 * balances of a market fall; a snapshot's fall up to the expected amount is the merge landing, taken
 * into confirmed first, so it neither absorbs pending SELL fills nor counts as a discrepancy. Only
 * the primary's (non-degraded) snapshots settle it. Shares promised to a merge are not for sale.
 */
import { formatMicros, type Micros } from '../amounts.ts';
import type { BalanceSnapshotReceived, MergeRecorded } from '../events.ts';
import type { InventoryManager } from '../inventory/inventory-manager.ts';
import type { Logger } from '../logger.ts';

export class ExpectedMerges {
  /** tokenId → amount its balance is expected to fall by. */
  private readonly byToken = new Map<string, Micros>();

  constructor(private readonly inventory: InventoryManager, private readonly logger: Logger) {}

  /** A merge event: `sent` expects the fall, anything else (failed) takes it back. Returns the tokens. */
  apply(e: MergeRecorded): readonly string[] {
    for (const t of e.tokens) {
      const left = (this.byToken.get(t) ?? 0n) + (e.status === 'sent' ? e.amount : -e.amount);
      if (left > 0n) this.byToken.set(t, left);
      else this.byToken.delete(t);
    }
    return e.tokens;
  }

  /** Lowers confirmed balances by the part of a snapshot's fall that is an expected merge landing. */
  consume(e: BalanceSnapshotReceived): void {
    if (this.byToken.size === 0 || e.degraded) return;
    for (const [t, expected] of this.byToken) {
      const next = e.balances.get(t);
      if (next === undefined || !this.inventory.has(t)) continue;
      const p = this.inventory.position(t);
      if (e.block !== undefined && p.confirmedBlock !== undefined && e.block < p.confirmedBlock) continue;
      const fall = p.confirmed - next;
      if (fall <= 0n) continue;
      const taken = fall < expected ? fall : expected;
      p.confirmed -= taken;
      this.logger.info({ tokenId: t, merged: formatMicros(taken), stillExpected: formatMicros(expected - taken) }, 'merge seen on chain: confirmed lowered before reconciling');
      if (taken === expected) this.byToken.delete(t);
      else this.byToken.set(t, expected - taken);
    }
  }

  /** Shares of a token promised to merges not yet seen on chain. */
  pending(tokenId: string): Micros {
    return this.byToken.get(tokenId) ?? 0n;
  }

  export(): [string, string][] {
    return [...this.byToken].map(([t, v]) => [t, v.toString()]);
  }

  import(rows: readonly (readonly [string, string])[]): void {
    this.byToken.clear();
    for (const [t, v] of rows) this.byToken.set(t, BigInt(v));
  }
}
