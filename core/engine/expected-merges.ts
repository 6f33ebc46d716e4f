/**
 * Capital recycling's bookkeeping: merges we sent and have not yet seen on chain. A merge makes both
 * balances of a market fall; a snapshot's fall up to the expected amount is the merge landing, taken
 * into confirmed first, so it neither absorbs pending SELL fills nor counts as a discrepancy. Only
 * the primary's (non-degraded) snapshots settle it. Shares promised to a merge are not for sale.
 * An expectation no snapshot has met within the pending-fill TTL (the merge was never broadcast: the
 * bot died between recording and sending it, say) is dropped at the next snapshot, with a warning,
 * so a later fall — a SELL settling — is not taken for it forever.
 */
import { formatMicros, type Micros } from '../amounts.ts';
import type { BalanceSnapshotReceived, MergeRecorded } from '../events.ts';
import type { InventoryManager } from '../inventory/inventory-manager.ts';
import type { Logger } from '../logger.ts';

export interface ExpiredMerge {
  readonly tokenId: string;
  readonly amount: Micros;
  readonly since: number;
}

export class ExpectedMerges {
  /** tokenId → amount its balance is expected to fall by, and when the oldest of those merges was sent. */
  private readonly byToken = new Map<string, { amount: Micros; since: number }>();

  constructor(private readonly inventory: InventoryManager, private readonly logger: Logger, private readonly ttlMs: number) {}

  /** A merge event: `sent` expects the fall, anything else (failed) takes it back. Returns the tokens. */
  apply(e: MergeRecorded): readonly string[] {
    for (const t of e.tokens) {
      const was = this.byToken.get(t);
      const left = (was?.amount ?? 0n) + (e.status === 'sent' ? e.amount : -e.amount);
      if (left > 0n) this.byToken.set(t, { amount: left, since: was?.since ?? e.at });
      else this.byToken.delete(t);
    }
    return e.tokens;
  }

  /**
   * Lowers confirmed balances by the part of a snapshot's fall that is an expected merge landing;
   * first drops the expectations older than the TTL (returned, for an alert).
   */
  consume(e: BalanceSnapshotReceived): ExpiredMerge[] {
    if (this.byToken.size === 0 || e.degraded) return [];
    const expired: ExpiredMerge[] = [];
    for (const [t, x] of this.byToken) {
      if (e.at - x.since <= this.ttlMs) continue;
      this.byToken.delete(t);
      expired.push({ tokenId: t, amount: x.amount, since: x.since });
      this.logger.warn({ tokenId: t, amount: formatMicros(x.amount), sentAt: new Date(x.since).toISOString() }, 'expected merge never seen on chain within the TTL: expectation dropped');
    }
    for (const [t, { amount: expected, since }] of this.byToken) {
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
      else this.byToken.set(t, { amount: expected - taken, since });
    }
    return expired;
  }

  /** Shares of a token promised to merges not yet seen on chain. */
  pending(tokenId: string): Micros {
    return this.byToken.get(tokenId)?.amount ?? 0n;
  }

  /** Checkpoint rows: [tokenId, amount, sent at]. */
  export(): [string, string, number][] {
    return [...this.byToken].map(([t, v]) => [t, v.amount.toString(), v.since]);
  }

  /** Checkpoint rows; rows written before `sent at` was kept count from the checkpoint's time. */
  import(rows: readonly (readonly [string, string, number?])[], checkpointAt: number): void {
    this.byToken.clear();
    for (const [t, v, since] of rows) this.byToken.set(t, { amount: BigInt(v), since: since ?? checkpointAt });
  }
}
