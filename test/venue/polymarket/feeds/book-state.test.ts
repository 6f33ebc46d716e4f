import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BookDeltaReceived, BookLevel, BookLevelChange, BookUpdated } from '../../../../core/events.ts';
import { BookState } from '../../../../plugins/venue/polymarket/feeds/book-state.ts';

const T = '7';
const snap = (bids: BookLevel[], asks: BookLevel[], over: Partial<BookUpdated> = {}): BookUpdated => ({ type: 'book', at: 1, tokenId: T, bids, asks, ...over });
const delta = (changes: BookLevelChange[], over: Partial<BookDeltaReceived> = {}): BookDeltaReceived => ({ type: 'book_delta', at: 2, tokenId: T, changes, ...over });
const c = (side: 'BUY' | 'SELL', price: bigint, size: bigint): BookLevelChange => ({ side, price, size });

describe('BookState', () => {
  const base = snap([[400_000n, 10n], [500_000n, 20n]], [[700_000n, 5n], [600_000n, 7n]]);
  it.each([
    { description: 'a snapshot is sorted best first whatever its order', changes: [], bids: [[500_000n, 20n], [400_000n, 10n]], asks: [[600_000n, 7n], [700_000n, 5n]] },
    { description: 'a new best bid goes to the front', changes: [c('BUY', 550_000n, 3n)], bids: [[550_000n, 3n], [500_000n, 20n], [400_000n, 10n]], asks: [[600_000n, 7n], [700_000n, 5n]] },
    { description: 'a new level between two goes between', changes: [c('SELL', 650_000n, 1n)], bids: [[500_000n, 20n], [400_000n, 10n]], asks: [[600_000n, 7n], [650_000n, 1n], [700_000n, 5n]] },
    { description: 'size replaces the aggregate (it is not added)', changes: [c('BUY', 500_000n, 4n)], bids: [[500_000n, 4n], [400_000n, 10n]], asks: [[600_000n, 7n], [700_000n, 5n]] },
    { description: 'size 0 removes the level', changes: [c('SELL', 600_000n, 0n)], bids: [[500_000n, 20n], [400_000n, 10n]], asks: [[700_000n, 5n]] },
    { description: 'size 0 at an absent price changes nothing', changes: [c('BUY', 100_000n, 0n)], bids: [[500_000n, 20n], [400_000n, 10n]], asks: [[600_000n, 7n], [700_000n, 5n]] },
    { description: 'changes apply in order (add then remove)', changes: [c('BUY', 450_000n, 9n), c('BUY', 450_000n, 0n)], bids: [[500_000n, 20n], [400_000n, 10n]], asks: [[600_000n, 7n], [700_000n, 5n]] },
  ])('$description', ({ changes, bids, asks }) => {
    const s = new BookState();
    s.apply(base);
    expect(s.apply(delta(changes as BookLevelChange[]))).toEqual({ applied: true, crossed: false });
    expect(s.book(T)).toMatchObject({ bids, asks });
    expect(s.bestBid(T)).toEqual(bids[0]);
    expect(s.bestAsk(T)).toEqual(asks[0]);
  });

  it('a delta before any snapshot is refused as NO_SNAPSHOT', () => {
    const s = new BookState();
    expect(s.apply(delta([c('BUY', 1n, 1n)]))).toEqual({ applied: false, reason: 'NO_SNAPSHOT' });
    expect(s.has(T)).toBe(false);
  });

  it('a tick-size delta re-grids, and a later snapshot without tick size keeps it', () => {
    const s = new BookState();
    s.apply(snap([], [], { tickSize: 10_000n }));
    s.apply(delta([], { tickSize: 1_000n, venueAt: 99 }));
    expect(s.book(T)).toMatchObject({ tickSize: 1_000n, venueAt: 99, at: 2 });
    s.apply(snap([[1n, 1n]], []));
    expect(s.book(T)!.tickSize).toBe(1_000n);
  });

  it.each([
    { description: 'same best bid and ask', venue: { bestBid: 500_000n, bestAsk: 600_000n }, agrees: true },
    { description: 'only the bid given', venue: { bestBid: 500_000n }, agrees: true },
    { description: 'a different best bid: a delta was missed', venue: { bestBid: 510_000n, bestAsk: 600_000n }, agrees: false },
    { description: 'a different best ask', venue: { bestAsk: 650_000n }, agrees: false },
  ])('agreesWith: $description', ({ venue, agrees }) => {
    const s = new BookState();
    s.apply(base);
    expect(s.agreesWith(T, venue)).toBe(agrees);
  });

  it('agreesWith: an emptied side is 0 (bids) or 1 (asks); no book never agrees', () => {
    const s = new BookState();
    expect(s.agreesWith(T, {})).toBe(false);
    s.apply(snap([], []));
    expect(s.agreesWith(T, { bestBid: 0n, bestAsk: 1_000_000n })).toBe(true);
    expect(s.agreesWith(T, { bestBid: 1n })).toBe(false);
  });

  it('reports a crossed book', () => {
    const s = new BookState();
    s.apply(base);
    expect(s.apply(delta([c('BUY', 600_000n, 1n)]))).toEqual({ applied: true, crossed: true });
  });

  it('a snapshot replaces the whole book; book() hands out copies', () => {
    const s = new BookState();
    s.apply(base);
    s.apply(snap([[100_000n, 1n]], []));
    const b = s.book(T)!;
    expect(b.bids).toEqual([[100_000n, 1n]]);
    expect(b.asks).toEqual([]);
    (b.bids as BookLevel[]).push([1n, 1n]);
    expect(s.book(T)!.bids).toHaveLength(1);
    expect(s.sizeAt(T, 'BUY', 100_000n)).toBe(1n);
    s.clear(T);
    expect(s.book(T)).toBeUndefined();
  });

  it('matches a naive model over random snapshots and deltas', () => {
    const level = fc.tuple(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 0, max: 5 }));
    const change = fc.record({ side: fc.constantFrom('BUY' as const, 'SELL' as const), price: fc.integer({ min: 1, max: 99 }), size: fc.integer({ min: 0, max: 5 }) });
    fc.assert(fc.property(fc.array(level, { maxLength: 20 }), fc.array(level, { maxLength: 20 }), fc.array(change, { maxLength: 60 }), (bids, asks, changes) => {
      const toLevels = (ls: [number, number][]) => ls.map(([p, s]) => [BigInt(p) * 10_000n, BigInt(s)] as const);
      const s = new BookState();
      s.apply(snap(toLevels(bids), toLevels(asks)));
      const model = { BUY: new Map<bigint, bigint>(), SELL: new Map<bigint, bigint>() };
      for (const [p, z] of toLevels(bids)) model.BUY.set(p, z);
      for (const [p, z] of toLevels(asks)) model.SELL.set(p, z);
      for (const ch of changes) {
        const price = BigInt(ch.price) * 10_000n;
        const size = BigInt(ch.size);
        s.apply(delta([{ side: ch.side, price, size }]));
        model[ch.side].set(price, size);
      }
      const expectSide = (m: Map<bigint, bigint>, desc: boolean) => [...m].filter(([, z]) => z > 0n).sort((a, b) => (desc ? (a[0] > b[0] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
      expect(s.book(T)!.bids).toEqual(expectSide(model.BUY, true));
      expect(s.book(T)!.asks).toEqual(expectSide(model.SELL, false));
    }), { seed: 4242, numRuns: 300 });
  });
});
