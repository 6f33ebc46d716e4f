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

/**
 * A fill with another status or pending size. Built as a literal with the interface's fields in
 * their order, like every pending fill, so the loops over thousands of them see one object shape.
 */
export function withStatus(f: PendingFill, status: FillStatus): PendingFill {
  return { key: f.key, tradeId: f.tradeId, orderId: f.orderId, side: f.side, size: f.size, originalSize: f.originalSize, price: f.price, firstSeenAt: f.firstSeenAt, status };
}

export function withSize(f: PendingFill, size: Micros): PendingFill {
  return { key: f.key, tradeId: f.tradeId, orderId: f.orderId, side: f.side, size, originalSize: f.originalSize, price: f.price, firstSeenAt: f.firstSeenAt, status: f.status };
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
    const removed: PendingFill[] = [];
    // Oldest-first absorption names its keys in the map's own order: walking the map alongside them
    // finds each fill without a lookup. A key out of that order is looked up afterwards.
    let j = 0;
    if (keys.length > 0) {
      for (const f of this.pending.values()) {
        if (f.key !== keys[j]) continue;
        removed.push(f);
        if (++j === keys.length) break;
      }
    }
    for (const f of removed) this.pending.delete(f.key);
    for (; j < keys.length; j++) {
      const f = this.pending.get(keys[j]!);
      if (!f) continue;
      this.pending.delete(f.key);
      removed.push(f);
    }
    const t = removedTotals(removed);
    this.buys -= t.buys;
    this.sells -= t.sells;
    this.cash += t.cash;
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

/** Doubles hold every whole number below this exactly. */
const EXACT = 2 ** 53;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * What removing `fills` takes off a position's totals: their sizes by side, and the collateral they
 * moved (BUY costs come back, SELL proceeds go), each fill's cost rounded as mulMicros rounds it.
 * Summed in doubles while every size, price, cost and running sum is a whole number below 2^53,
 * so exact (a snapshot absorbing thousands of fills makes three BigInts, not three per fill); any
 * other fill sends the whole sum to bigint.
 */
export function removedTotals(fills: readonly PendingFill[]): { buys: Micros; sells: Micros; cash: Micros } {
  let buys = 0;
  let sells = 0;
  let cash = 0;
  let moved = 0;
  for (let i = 0; i < fills.length; i++) {
    const f = fills[i]!;
    if (f.size < 0n || f.size > SAFE || f.price < 0n || f.price > SAFE) return removedTotalsBig(fills);
    const size = Number(f.size);
    const product = size * Number(f.price);
    if (product >= EXACT) return removedTotalsBig(fills);
    const rem = product % 1_000_000;
    const cost = (product - rem) / 1_000_000 + (rem >= 500_000 ? 1 : 0);
    moved += cost;
    if (f.side === 'BUY') {
      buys += size;
      cash += cost;
    } else {
      sells += size;
      cash -= cost;
    }
  }
  // Every running sum only grows (|cash| is bounded by `moved`): the last ones below 2^53 means all were.
  if (buys >= EXACT || sells >= EXACT || moved >= EXACT) return removedTotalsBig(fills);
  return { buys: BigInt(buys), sells: BigInt(sells), cash: BigInt(cash) };
}

function removedTotalsBig(fills: readonly PendingFill[]): { buys: Micros; sells: Micros; cash: Micros } {
  let buys = 0n;
  let sells = 0n;
  let cash = 0n;
  for (const f of fills) {
    const c = mulMicros(f.size, f.price);
    if (f.side === 'BUY') {
      buys += f.size;
      cash += c;
    } else {
      sells += f.size;
      cash -= c;
    }
  }
  return { buys, sells, cash };
}
