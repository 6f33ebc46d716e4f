/**
 * Average-cost PnL on effective size. Fills move quantity at their price; any other change of
 * effective size (a discrepancy, an age-out, a force reconcile) moves quantity at the average cost,
 * so it changes no realized PnL. A FAILED fill is undone exactly. All amounts in micros.
 */
import { divMicros, mulMicros, type Micros } from '../amounts.ts';
import type { Side } from '../events.ts';

interface TokenPnl {
  qty: Micros;
  cost: Micros;
  realized: Micros;
  mark: Micros | undefined;
}

export interface PnlView {
  readonly qty: Micros;
  readonly avgCost: Micros;
  readonly realized: Micros;
  readonly unrealized: Micros;
  readonly mark: Micros | undefined;
}

export class PnlTracker {
  private readonly tokens = new Map<string, TokenPnl>();
  /** Realized PnL booked by each SELL fill, so a FAILED sell can be undone exactly. */
  private readonly sellBookings = new Map<string, { realized: Micros; cost: Micros }>();

  private get(tokenId: string): TokenPnl {
    let t = this.tokens.get(tokenId);
    if (!t) {
      t = { qty: 0n, cost: 0n, realized: 0n, mark: undefined };
      this.tokens.set(tokenId, t);
    }
    return t;
  }

  /** A new fill counted in effective size. */
  fill(tokenId: string, key: string, side: Side, size: Micros, price: Micros): void {
    const t = this.get(tokenId);
    if (side === 'BUY') {
      t.qty += size;
      t.cost += mulMicros(size, price);
      return;
    }
    const avg = t.qty > 0n ? divMicros(t.cost, t.qty) : price;
    const costOut = t.qty > 0n ? (size >= t.qty ? t.cost : mulMicros(size, avg)) : 0n;
    const realized = mulMicros(size, price) - costOut;
    t.qty -= size;
    t.cost -= costOut;
    t.realized += realized;
    this.sellBookings.set(key, { realized, cost: costOut });
  }

  /** A fill that never settled: undo it. */
  failed(tokenId: string, key: string, side: Side, size: Micros, price: Micros): void {
    const t = this.get(tokenId);
    if (side === 'BUY') {
      t.qty -= size;
      t.cost -= mulMicros(size, price);
      return;
    }
    const b = this.sellBookings.get(key);
    t.qty += size;
    t.cost += b?.cost ?? 0n;
    t.realized -= b?.realized ?? 0n;
    this.sellBookings.delete(key);
  }

  /** The fill left pending (absorbed, aged out, cleared): it can no longer fail. */
  settled(key: string): void {
    this.sellBookings.delete(key);
  }

  /** Brings quantity to the effective size at average cost (no realized PnL). */
  syncQuantity(tokenId: string, effective: Micros): void {
    const t = this.get(tokenId);
    if (t.qty === effective) return;
    if (t.qty <= 0n || effective <= 0n) t.cost = effective <= 0n ? 0n : t.cost;
    else t.cost = mulMicros(t.cost, divMicros(effective, t.qty));
    t.qty = effective;
  }

  mark(tokenId: string, price: Micros): void {
    this.get(tokenId).mark = price;
  }

  view(tokenId: string): PnlView {
    const t = this.get(tokenId);
    const avgCost = t.qty > 0n ? divMicros(t.cost, t.qty) : 0n;
    const unrealized = t.mark === undefined ? 0n : mulMicros(t.mark, t.qty) - t.cost;
    return { qty: t.qty, avgCost, realized: t.realized, unrealized, mark: t.mark };
  }

  /** Tokens tracked and SELL bookings a FAILED report may still undo (one per pending SELL fill). */
  retainedCounts(): { tokens: number; sellBookings: number } {
    return { tokens: this.tokens.size, sellBookings: this.sellBookings.size };
  }

  exportState(): Record<string, [string, string, string, string | null]> {
    return Object.fromEntries([...this.tokens].map(([k, t]) => [k, [t.qty.toString(), t.cost.toString(), t.realized.toString(), t.mark?.toString() ?? null]]));
  }

  /** The SELL bookings a FAILED report may still undo (open pending sells only): [key, realized, cost]. */
  exportBookings(): [string, string, string][] {
    return [...this.sellBookings].map(([k, b]) => [k, b.realized.toString(), b.cost.toString()]);
  }

  importBookings(rows: readonly [string, string, string][]): void {
    this.sellBookings.clear();
    for (const [k, r, c] of rows) this.sellBookings.set(k, { realized: BigInt(r), cost: BigInt(c) });
  }

  importState(s: Record<string, [string, string, string, string | null]>): void {
    this.tokens.clear();
    for (const [k, [q, c, r, m]] of Object.entries(s)) this.tokens.set(k, { qty: BigInt(q), cost: BigInt(c), realized: BigInt(r), mark: m === null ? undefined : BigInt(m) });
  }
}
