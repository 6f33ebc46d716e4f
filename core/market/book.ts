/**
 * Order books kept from full snapshots and deltas. Pure level arithmetic on sorted arrays (bids
 * best-first descending, asks best-first ascending); a delta sets the aggregate size at a price,
 * size 0 removes the level. Venues do not promise level order, so snapshots are sorted here.
 */
import type { Micros } from '../amounts.ts';
import type { BookDeltaReceived, BookLevel, BookUpdated, Side } from '../events.ts';

export interface Book {
  readonly tokenId: string;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  readonly tickSize: Micros | undefined;
  readonly at: number;
}

const byPriceDesc = (a: BookLevel, b: BookLevel) => (a[0] > b[0] ? -1 : a[0] < b[0] ? 1 : 0);
const byPriceAsc = (a: BookLevel, b: BookLevel) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Whether levels are already strictly best first with no zero size (a parser's output): kept as they are. */
function isClean(levels: readonly BookLevel[], desc: boolean): boolean {
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l[1] <= 0n) return false;
    if (i > 0 && (desc ? l[0] >= levels[i - 1]![0] : l[0] <= levels[i - 1]![0])) return false;
  }
  return true;
}

function cleaned(levels: readonly BookLevel[], desc: boolean): readonly BookLevel[] {
  if (isClean(levels, desc)) return levels;
  const m = new Map<Micros, Micros>();
  for (const [p, s] of levels) m.set(p, s);
  return ([...m].filter(([, s]) => s > 0n) as BookLevel[]).sort(desc ? byPriceDesc : byPriceAsc);
}

/** A snapshot as a sorted book (zero-size levels dropped, duplicate prices: the last one wins). */
export function bookFromSnapshot(e: BookUpdated, previousTick?: Micros): Book {
  return { tokenId: e.tokenId, at: e.at, tickSize: e.tickSize ?? previousTick, bids: cleaned(e.bids, true), asks: cleaned(e.asks, false) };
}

/** Sets one level (size 0 removes it), keeping the side sorted. Returns a new array. */
export function setLevel(levels: readonly BookLevel[], side: Side, price: Micros, size: Micros): BookLevel[] {
  const desc = side === 'BUY';
  let lo = 0;
  let hi = levels.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const p = levels[mid]![0];
    if (desc ? p > price : p < price) lo = mid + 1;
    else hi = mid;
  }
  const out = levels.slice();
  const exact = lo < out.length && out[lo]![0] === price;
  if (size === 0n) {
    if (exact) out.splice(lo, 1);
  } else if (exact) out[lo] = [price, size];
  else out.splice(lo, 0, [price, size]);
  return out;
}

/** Applies a delta to a book (a delta for a token without a book starts an empty one). */
export function applyBookDelta(book: Book | undefined, d: BookDeltaReceived): Book {
  let bids = book?.bids ?? [];
  let asks = book?.asks ?? [];
  for (const c of d.changes) {
    if (c.side === 'BUY') bids = setLevel(bids, 'BUY', c.price, c.size);
    else asks = setLevel(asks, 'SELL', c.price, c.size);
  }
  return { tokenId: d.tokenId, at: d.at, tickSize: d.tickSize ?? book?.tickSize, bids, asks };
}

export function bestBid(b: Book | undefined): Micros | undefined {
  return b?.bids[0]?.[0];
}

export function bestAsk(b: Book | undefined): Micros | undefined {
  return b?.asks[0]?.[0];
}

/** The book in the event shape strategies and reports read. */
export function bookView(b: Book): BookUpdated {
  return { type: 'book', at: b.at, tokenId: b.tokenId, bids: b.bids, asks: b.asks, ...(b.tickSize !== undefined && { tickSize: b.tickSize }) };
}
