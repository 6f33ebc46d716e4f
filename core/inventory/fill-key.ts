/**
 * Dedup keys for fills — unambiguous, and the same for the same fill whenever it is reported.
 *
 * A maker fill is one (trade id, order id) pair — one taker match can fill several of our orders —
 * so the key joins both when both are known (`t1:o1`), the trade id alone otherwise (`t1`). A `:` or
 * `\` inside an id is escaped (`\:`, `\\`), so the trade id "t1:0xo1" (key `t1\:0xo1`) is never
 * taken for trade t1 of order 0xo1. Which form a fill keeps is decided by its first report; later
 * reports with or without the order id are matched to it (inventory-manager.ts).
 *
 * A fill with no trade id gets a synthesized key from its content and the venue's time of it
 * (`venueAt`, else `at`), plus its rank among identical id-less fills received in the same
 * millisecond: two such fills stay two, and the same fills re-sent later (received at another time,
 * the venue time kept) get the same keys again.
 */
import type { FillReported } from '../events.ts';

/** An id with `:` and `\\` escaped (ids nearly never hold either: then it is the id itself). */
export const escapeId = (id: string): string => (id.indexOf(':') < 0 && id.indexOf('\\') < 0 ? id : id.replace(/[\\:]/g, (c) => `\\${c}`));

export function tradeKey(tradeId: string, orderId: string | undefined): string {
  return orderId ? `${escapeId(tradeId)}:${escapeId(orderId)}` : escapeId(tradeId);
}

/** The content part of an id-less fill's key (without its rank). */
export function synthBase(fill: FillReported): string {
  return `synth:${JSON.stringify([fill.orderId ?? null, fill.tokenId, fill.side, fill.size.toString(), fill.price.toString(), fill.venueAt ?? fill.at])}`;
}

/** Ranks identical id-less fills received in the same millisecond. */
export class SynthRanks {
  private at: number | undefined;
  private readonly counts = new Map<string, number>();

  key(fill: FillReported): string {
    if (fill.at !== this.at) {
      this.at = fill.at;
      this.counts.clear();
    }
    const base = synthBase(fill);
    const n = this.counts.get(base) ?? 0;
    this.counts.set(base, n + 1);
    return `${base}#${n}`;
  }
}
