/**
 * Per-token inventory: the confirmed balance apart from the pending fills the feed reported.
 * Pending totals are maintained incrementally so every read is O(1); the map keeps first-seen
 * order, which is the oldest-first order reconciliation needs.
 */
import { mulMicros, type Micros } from '../amounts.ts';
import type { FillStatus, Side } from '../events.ts';

export interface PendingFill {
  /** Dedup key: trade id (+ order id when known), or a synthesized key. */
  readonly key: string;
  readonly tradeId: string | undefined;
  readonly orderId: string | undefined;
  readonly side: Side;
  /** Size still pending (a partial absorption reduces it). */
  readonly size: Micros;
  /** Size when first reported. */
  readonly originalSize: Micros;
  readonly price: Micros;
  readonly firstSeenAt: number;
  readonly status: FillStatus;
}

export class TrackedPosition {
  confirmed: Micros = 0n;
  confirmedAt: number | undefined;
  confirmedBlock: bigint | undefined;
  /** Oldest first (insertion order). */
  readonly pending = new Map<string, PendingFill>();
  private buys: Micros = 0n;
  private sells: Micros = 0n;
  /** Collateral the pending fills move: BUY fills spend size × price, SELL fills earn it. */
  private cash: Micros = 0n;

  constructor(readonly tokenId: string) {}

  get pendingBuys(): Micros {
    return this.buys;
  }
  get pendingSells(): Micros {
    return this.sells;
  }
  /** confirmed + pending buys − pending sells: display, PnL, alerts, skew. */
  get effective(): Micros {
    return this.confirmed + this.buys - this.sells;
  }
  /** What a SELL may use: confirmed + pending buys − pending sells. */
  get availableToSell(): Micros {
    return this.confirmed + this.buys - this.sells;
  }
  /** Collateral moved by the pending fills (SELL proceeds − BUY costs), until a snapshot absorbs them. */
  get pendingCash(): Micros {
    return this.cash;
  }
  /** confirmed + pending fill buys + reserved open BUY orders: every BUY check. */
  conservativeExposure(pendingOrderBuys: Micros): Micros {
    return this.confirmed + this.buys + pendingOrderBuys;
  }

  /** Inserts or replaces a pending fill, keeping totals exact (replacement keeps its age slot). */
  put(fill: PendingFill): void {
    const prev = this.pending.get(fill.key);
    if (prev) this.adjust(prev, false);
    this.pending.set(fill.key, fill);
    this.adjust(fill, true);
  }

  remove(key: string): PendingFill | undefined {
    const prev = this.pending.get(key);
    if (!prev) return undefined;
    this.pending.delete(key);
    this.adjust(prev, false);
    return prev;
  }

  /** Removes many fills (a snapshot absorbing them): the totals move once, by their sums. */
  removeAll(keys: readonly string[]): void {
    let buys = 0n;
    let sells = 0n;
    let cash = 0n;
    for (const k of keys) {
      const f = this.pending.get(k);
      if (!f) continue;
      this.pending.delete(k);
      const c = mulMicros(f.size, f.price);
      if (f.side === 'BUY') {
        buys += f.size;
        cash += c;
      } else {
        sells += f.size;
        cash -= c;
      }
    }
    this.buys -= buys;
    this.sells -= sells;
    this.cash += cash;
  }

  clearPending(): PendingFill[] {
    const all = [...this.pending.values()];
    this.pending.clear();
    this.buys = 0n;
    this.sells = 0n;
    this.cash = 0n;
    return all;
  }

  /** Replaces all pending fills, preserving the given order. */
  replacePending(fills: readonly PendingFill[]): void {
    this.clearPending();
    for (const f of fills) this.put(f);
  }

  private adjust(f: PendingFill, add: boolean): void {
    const cash = mulMicros(f.size, f.price);
    if (f.side === 'BUY') {
      if (add) {
        this.buys += f.size;
        this.cash -= cash;
      } else {
        this.buys -= f.size;
        this.cash += cash;
      }
    } else if (add) {
      this.sells += f.size;
      this.cash += cash;
    } else {
      this.sells -= f.size;
      this.cash -= cash;
    }
  }
}
