/**
 * Per-token order books kept from `book` snapshots and `book_delta`s. No I/O, no clock: the same
 * events always give the same books (live, and in replay).
 *
 * Invariants: each side is an array sorted best first (bids descending, asks ascending) with no
 * duplicate price and no zero size; a level is found by binary search (O(log n)), inserted or removed
 * by one splice (books hold tens of levels, so the move is a short memmove). A delta for a token with
 * no snapshot yet cannot be applied and is reported, never guessed.
 */
import type { Micros } from '../../../../core/amounts.ts';
import type { BookDeltaReceived, BookLevel, BookUpdated, Side } from '../../../../core/events.ts';

export interface TokenBook {
  readonly tokenId: string;
  /** Best first: bids descending by price. */
  readonly bids: readonly BookLevel[];
  /** Best first: asks ascending by price. */
  readonly asks: readonly BookLevel[];
  readonly tickSize?: Micros;
  /** Receive time of the last event applied. */
  readonly at: number;
  readonly venueAt?: number;
}

export type BookApplyResult =
  | { readonly applied: true; readonly crossed: boolean }
  | { readonly applied: false; readonly reason: 'NO_SNAPSHOT' };

interface MutableBook {
  bids: [Micros, Micros][];
  asks: [Micros, Micros][];
  tickSize?: Micros;
  at: number;
  venueAt?: number;
}

/** Index of `price` in a best-first side, or the insertion point as -(index + 1). */
function find(levels: readonly (readonly [Micros, Micros])[], price: Micros, descending: boolean): number {
  let lo = 0;
  let hi = levels.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = levels[mid]![0];
    if (p === price) return mid;
    if (descending ? p > price : p < price) lo = mid + 1;
    else hi = mid - 1;
  }
  return -(lo + 1);
}

/** Sets the aggregate size at `price` (0 removes the level) on a best-first side. */
export function setLevel(levels: [Micros, Micros][], price: Micros, size: Micros, descending: boolean): void {
  const i = find(levels, price, descending);
  if (i >= 0) {
    if (size === 0n) levels.splice(i, 1);
    else levels[i] = [price, size];
  } else if (size > 0n) {
    levels.splice(-i - 1, 0, [price, size]);
  }
}

function sorted(levels: readonly BookLevel[], descending: boolean): [Micros, Micros][] {
  const out: [Micros, Micros][] = [];
  for (const [p, s] of levels) setLevel(out, p, s, descending);
  return out;
}

export class BookState {
  private readonly books = new Map<string, MutableBook>();

  /** Applies a snapshot (replaces the token's book) or a delta (changes levels, or the tick size). */
  apply(e: BookUpdated | BookDeltaReceived): BookApplyResult {
    if (e.type === 'book') {
      const prev = this.books.get(e.tokenId);
      const tickSize = e.tickSize ?? prev?.tickSize;
      this.books.set(e.tokenId, {
        bids: sorted(e.bids, true), asks: sorted(e.asks, false), at: e.at,
        ...(tickSize !== undefined ? { tickSize } : {}), ...(e.venueAt !== undefined ? { venueAt: e.venueAt } : {}),
      });
      return { applied: true, crossed: this.crossed(e.tokenId) };
    }
    const book = this.books.get(e.tokenId);
    if (!book) return { applied: false, reason: 'NO_SNAPSHOT' };
    for (const c of e.changes) {
      if (c.side === 'BUY') setLevel(book.bids, c.price, c.size, true);
      else setLevel(book.asks, c.price, c.size, false);
    }
    if (e.tickSize !== undefined) book.tickSize = e.tickSize;
    book.at = e.at;
    if (e.venueAt !== undefined) book.venueAt = e.venueAt;
    return { applied: true, crossed: this.crossed(e.tokenId) };
  }

  has(tokenId: string): boolean {
    return this.books.has(tokenId);
  }

  /** A copy of the token's book (callers cannot change the state through it). */
  book(tokenId: string): TokenBook | undefined {
    const b = this.books.get(tokenId);
    if (!b) return undefined;
    return {
      tokenId, bids: b.bids.slice(), asks: b.asks.slice(), at: b.at,
      ...(b.tickSize !== undefined ? { tickSize: b.tickSize } : {}), ...(b.venueAt !== undefined ? { venueAt: b.venueAt } : {}),
    };
  }

  bestBid(tokenId: string): BookLevel | undefined {
    return this.books.get(tokenId)?.bids[0];
  }

  bestAsk(tokenId: string): BookLevel | undefined {
    return this.books.get(tokenId)?.asks[0];
  }

  /** Size resting at exactly `price` on a side (0 when none). */
  sizeAt(tokenId: string, side: Side, price: Micros): Micros {
    const b = this.books.get(tokenId);
    if (!b) return 0n;
    const levels = side === 'BUY' ? b.bids : b.asks;
    const i = find(levels, price, side === 'BUY');
    return i >= 0 ? levels[i]![1] : 0n;
  }

  /** Best bid at or above best ask: the book is stale or a delta was missed. */
  crossed(tokenId: string): boolean {
    const b = this.books.get(tokenId);
    const bid = b?.bids[0];
    const ask = b?.asks[0];
    return bid !== undefined && ask !== undefined && bid[0] >= ask[0];
  }

  /**
   * Whether the kept book agrees with the venue's best bid/ask (from a price_change). A side the
   * venue did not give is not compared; a venue best of 0 (bid) or 1 (ask) stands for an empty side.
   * False means a delta was missed: resubscribe for a fresh snapshot.
   */
  agreesWith(tokenId: string, venue: { readonly bestBid?: Micros; readonly bestAsk?: Micros }): boolean {
    const b = this.books.get(tokenId);
    if (!b) return false;
    const bid = b.bids[0]?.[0] ?? 0n;
    const ask = b.asks[0]?.[0] ?? 1_000_000n;
    return (venue.bestBid === undefined || venue.bestBid === bid) && (venue.bestAsk === undefined || venue.bestAsk === ask);
  }

  /** Forgets one token's book (after an unsubscribe or a disconnect), or every book. */
  clear(tokenId?: string): void {
    if (tokenId === undefined) this.books.clear();
    else this.books.delete(tokenId);
  }

  tokens(): string[] {
    return [...this.books.keys()];
  }
}
