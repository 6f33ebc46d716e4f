/** The engine's order books, one per token, as the market channel's snapshots and deltas left them. */
import type { Micros } from '../amounts.ts';
import type { BookDeltaReceived, BookUpdated } from '../events.ts';
import { applyBookDelta, bookFromSnapshot, bookView, type Book } from '../market/book.ts';

export class BookStore {
  private readonly byToken = new Map<string, Book>();

  /** Applies a snapshot or a delta; returns the mid when the book has both a bid and an ask. */
  apply(e: BookUpdated | BookDeltaReceived): Micros | undefined {
    const prev = this.byToken.get(e.tokenId);
    const b = e.type === 'book' ? bookFromSnapshot(e, prev?.tickSize) : applyBookDelta(prev, e);
    this.byToken.set(e.tokenId, b);
    const bid = b.bids[0]?.[0];
    const ask = b.asks[0]?.[0];
    return bid !== undefined && ask !== undefined ? (bid + ask) / 2n : undefined;
  }

  /** The sorted book of a token (levels best first). */
  sorted(tokenId: string): Book | undefined {
    return this.byToken.get(tokenId);
  }

  /** The book in the event shape. */
  view(tokenId: string): BookUpdated | undefined {
    const b = this.byToken.get(tokenId);
    return b && bookView(b);
  }
}
