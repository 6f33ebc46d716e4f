/** Books from snapshots and deltas, the wider order-status set, exact sizing, and the core's layout. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyBookDelta, bookFromSnapshot, setLevel } from '../../core/market/book.ts';
import { multiplierMicros, roundToTick, sizeOrder } from '../../core/orders/sizing.ts';
import { decodeEventLine, encodeEventLine } from '../../core/tape-codec.ts';
import type { BookLevel, InboundEvent } from '../../core/events.ts';
import { YES, sh, startTrading } from './trading-harness.ts';

const lv = (...pairs: [string, string][]): BookLevel[] => pairs.map(([p, s]) => [sh(p), sh(s)] as const);

describe('books', () => {
  it.each([
    { description: 'inserts a new best bid', levels: lv(['0.5', '10'], ['0.4', '5']), side: 'BUY' as const, price: '0.55', size: '3', want: lv(['0.55', '3'], ['0.5', '10'], ['0.4', '5']) },
    { description: 'inserts between bids', levels: lv(['0.5', '10'], ['0.4', '5']), side: 'BUY' as const, price: '0.45', size: '3', want: lv(['0.5', '10'], ['0.45', '3'], ['0.4', '5']) },
    { description: 'replaces a level size', levels: lv(['0.5', '10']), side: 'BUY' as const, price: '0.5', size: '7', want: lv(['0.5', '7']) },
    { description: 'size 0 removes a level', levels: lv(['0.5', '10'], ['0.4', '5']), side: 'BUY' as const, price: '0.5', size: '0', want: lv(['0.4', '5']) },
    { description: 'size 0 for an absent level changes nothing', levels: lv(['0.5', '10']), side: 'BUY' as const, price: '0.3', size: '0', want: lv(['0.5', '10']) },
    { description: 'asks stay ascending', levels: lv(['0.6', '1'], ['0.7', '2']), side: 'SELL' as const, price: '0.65', size: '4', want: lv(['0.6', '1'], ['0.65', '4'], ['0.7', '2']) },
  ])('$description', ({ levels, side, price, size, want }) => {
    expect(setLevel(levels, side, sh(price), sh(size))).toEqual(want);
  });

  it('sorts snapshot levels itself and drops empty ones', () => {
    const b = bookFromSnapshot({ type: 'book', at: 0, tokenId: YES, bids: lv(['0.4', '1'], ['0.5', '2'], ['0.3', '0']), asks: lv(['0.7', '1'], ['0.6', '3']) });
    expect(b.bids).toEqual(lv(['0.5', '2'], ['0.4', '1']));
    expect(b.asks).toEqual(lv(['0.6', '3'], ['0.7', '1']));
  });

  it('keeps books from deltas in the engine, ledgers them as deltas, and a re-grid keeps the levels', async () => {
    const t = await startTrading();
    t.engine.ingest({ type: 'book', at: t.clock.now(), tokenId: YES, bids: lv(['0.48', '100']), asks: lv(['0.52', '100']), tickSize: sh('0.01') });
    t.engine.ingest({ type: 'book_delta', at: t.clock.now(), tokenId: YES, changes: [{ side: 'BUY', price: sh('0.49'), size: sh('20') }, { side: 'SELL', price: sh('0.52'), size: 0n }, { side: 'SELL', price: sh('0.55'), size: sh(5) }] });
    t.engine.ingest({ type: 'book_delta', at: t.clock.now(), tokenId: YES, changes: [], tickSize: sh('0.001') });
    expect(t.market.top(YES)).toEqual({ bestBid: sh('0.49'), bestAsk: sh('0.55'), tickSize: sh('0.001') });
    const recs = t.app.ledger.query({});
    expect(recs.map((r) => r.type)).toEqual(['book', 'book_delta', 'book_delta']);
    // Replaying the ledgered lines rebuilds the same book.
    let b = undefined as ReturnType<typeof applyBookDelta> | undefined;
    for (const r of recs) {
      const e = decodeEventLine(r.payload as Record<string, unknown>);
      b = e.type === 'book' ? bookFromSnapshot(e) : e.type === 'book_delta' ? applyBookDelta(b, e) : b;
    }
    expect(b!.bids).toEqual(t.engine.sortedBook(YES)!.bids);
    expect(b!.asks).toEqual(t.engine.sortedBook(YES)!.asks);
  });
});

describe('order statuses beyond the first set', () => {
  it('DELAYED keeps the reservation, UNMATCHED releases it, and the reason survives the tape', async () => {
    const t = await startTrading();
    const submit = (id: string) => t.engine.submitOrder({ type: 'submit', at: t.clock.now(), orderId: id, tokenId: YES, side: 'BUY', price: sh('0.5'), size: sh(10) });
    submit('o1');
    t.engine.ingest({ type: 'order', at: t.clock.now(), orderId: 'o1', status: 'DELAYED' });
    expect(t.engine.position(YES).pendingOrderBuys).toBe(sh(10));
    t.engine.ingest({ type: 'order', at: t.clock.now(), orderId: 'o1', status: 'UNMATCHED', reason: 'no liquidity' });
    expect(t.engine.position(YES).pendingOrderBuys).toBe(0n);
    submit('o2');
    t.engine.ingest({ type: 'order', at: t.clock.now(), orderId: 'o2', status: 'CANCELED', reason: 'MARKET_RESOLVED', venueAt: 1_767_225_600_123 });
    expect(t.engine.position(YES).pendingOrderBuys).toBe(0n);
    const lines = t.app.ledger.query({ types: ['order'] }).map((r) => r.payload as Record<string, unknown>);
    expect(lines.map((l) => [l.status, l.reason ?? null])).toEqual([['DELAYED', null], ['UNMATCHED', 'no liquidity'], ['CANCELED', 'MARKET_RESOLVED']]);
    expect(lines[2]!.venueAt).toBe(1_767_225_600_123);
  });

  it('round-trips every new field through the tape codec', () => {
    const events: InboundEvent[] = [
      { type: 'fill', at: 1000, tradeId: 't', orderId: 'o', tokenId: YES, side: 'SELL', size: sh('1.5'), price: sh('0.25'), status: 'MINED', venueAt: 999 },
      { type: 'order', at: 1000, orderId: 'o', status: 'DELAYED', price: sh('0.3'), reason: 'x', venueAt: 998 },
      { type: 'balance', at: 1000, source: 'chain', balances: new Map([[YES, sh(2)]]), block: 7n, collateral: sh('123.456789') },
      { type: 'book_delta', at: 1000, tokenId: YES, changes: [{ side: 'BUY', price: sh('0.5'), size: 0n }], tickSize: sh('0.001'), venueAt: 997 },
    ];
    for (const e of events) expect(decodeEventLine(JSON.parse(JSON.stringify(encodeEventLine(e))))).toEqual(e);
  });
});

describe('exact sizing', () => {
  it.each([
    { description: 'as wanted', wanted: '50', multiplier: 1, room: '100', min: '5', want: '50' },
    { description: 'halved', wanted: '50', multiplier: 0.5, room: '100', min: '5', want: '25' },
    { description: 'a third, rounded down to the 0.01 grid', wanted: '10', multiplier: 0.333333, room: '100', min: '1', want: '3.33' },
    { description: '0.1 is exact (no float drift)', wanted: '30', multiplier: 0.1, room: '100', min: '1', want: '3' },
    { description: 'capped by the room', wanted: '50', multiplier: 1, room: '12.345', min: '5', want: '12.34' },
    { description: 'below the minimum: nothing', wanted: '8', multiplier: 0.5, room: '100', min: '5', want: '0' },
    { description: 'multiplier 0: nothing', wanted: '8', multiplier: 0, room: '100', min: '1', want: '0' },
  ])('$description', ({ wanted, multiplier, room, min, want }) => {
    expect(sizeOrder({ wanted: sh(wanted), multiplier, room: sh(room), minSize: sh(min) })).toBe(sh(want));
  });

  it('reads multipliers digit by digit and rounds prices to the grid away from crossing', () => {
    expect(multiplierMicros(0.1)).toBe(100_000n);
    expect(multiplierMicros(0.7)).toBe(700_000n);
    expect(roundToTick(sh('0.537'), sh('0.01'), 'BUY')).toBe(sh('0.53'));
    expect(roundToTick(sh('0.531'), sh('0.01'), 'SELL')).toBe(sh('0.54'));
    expect(roundToTick(sh('0.54'), sh('0.01'), 'SELL')).toBe(sh('0.54'));
  });
});

describe('layout', () => {
  it('core imports no plugin, strategy, simulator or composition root', () => {
    const root = new URL('../../core/', import.meta.url).pathname;
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) {
          for (const m of readFileSync(p, 'utf8').matchAll(/from '([^']+)'/g)) {
            if (/(^|\/)\.\.\/(\.\.\/)*(plugins|strategies|sim|app|ops|cli)\//.test(m[1]!)) offenders.push(`${p}: ${m[1]}`);
          }
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
