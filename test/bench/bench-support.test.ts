/** The benchmark plumbing (bench/): statistics, median of runs with ratios, order/frame pairing, and the generated frames. */
import { describe, expect, it } from 'vitest';
import { API_KEY, FUNDER, userTape } from '../../bench/ingest.bench.ts';
import { marketFrames } from '../../bench/decision.bench.ts';
import { latencyStats, median, medianOfRuns, quantile, sig, toRow, trendChange } from '../../bench/lib.ts';
import { pairFirstOrders } from '../../bench/tick-to-order.bench.ts';
import { parseMarketFrame } from '../../plugins/venue/polymarket/feeds/market-channel.ts';
import { parseUserFrame } from '../../plugins/venue/polymarket/feeds/user-channel.ts';

describe('statistics', () => {
  it.each([
    [[1, 2, 3, 4], 0.5, 2],
    [[1, 2, 3, 4], 0.99, 4],
    [[5], 0.5, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.91, 10],
  ])('quantile(%j, %f) = %f (nearest rank)', (xs, q, want) => {
    expect(quantile(xs, q)).toBe(want);
  });

  it('latencyStats sorts its samples and reports p50, p99, p99.9 and max', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    expect(latencyStats(xs)).toEqual({ p50: 500, p99: 990, p999: 999, max: 1000 });
  });

  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
  ])('median(%j) = %f', (xs, want) => expect(median(xs)).toBe(want));

  it.each([
    [123456.7, 123457],
    [12.3456, 12.3],
    [0.0012345, 0.00123],
    [999.94, 1000],
    [0, 0],
  ])('sig(%f) = %f', (v, want) => expect(sig(v)).toBe(want));

  it.each([
    // points, from, to → value at from, value at to
    [[[1, 100], [5, 100]], 1, 5, 100, 100],
    [[[1, 100], [2, 110], [3, 120]], 1, 3, 100, 120],
    // noise around a flat line: the fit is flat although single readings swing ±20 %
    [[[1, 100], [2, 120], [3, 80], [4, 100], [5, 80], [6, 120], [7, 100]], 1, 7, 100, 100],
    // read outside the points (extrapolated along the line)
    [[[2, 10], [4, 20]], 0, 6, 0, 30],
  ])('trendChange(%j, %i, %i): the least-squares line reads %f then %f', (pts, from, to, atFrom, atTo) => {
    const r = trendChange(pts.map(([x, y]) => ({ x: x!, y: y! })), from, to);
    expect(r.atFrom).toBeCloseTo(atFrom, 9);
    expect(r.atTo).toBeCloseTo(atTo, 9);
    if (atFrom !== 0) expect(r.relative).toBeCloseTo((atTo - atFrom) / atFrom, 9);
  });

  it('trendChange refuses fewer than two distinct x values, naming itself', () => {
    expect(() => trendChange([{ x: 1, y: 5 }], 1, 2)).toThrow(/trendChange: needs at least two distinct x values, got 1 point/);
    expect(() => trendChange([{ x: 1, y: 5 }, { x: 1, y: 6 }], 1, 2)).toThrow(/trendChange/);
  });
});

describe('medianOfRuns', () => {
  it('takes each figure as the median over runs and the ratio as the median of per-run ratios', async () => {
    const runs = [{ a: 10, b: 2 }, { a: 30, b: 3 }, { a: 20, b: 10 }];
    const out = await medianOfRuns(3, (i) => runs[i]!, [
      { key: 'a', name: 'A', unit: 'x/s', baselineKey: 'b', better: 'higher' },
      { key: 'b', name: 'B', unit: 'µs', baselineKey: 'a', better: 'lower' },
    ]);
    expect(out[0]).toMatchObject({ name: 'A', value: 20, runs: 3, samples: [10, 30, 20], baseline: 3, ratio: 5 }); // ratios 5, 10, 2
    expect(out[1]).toMatchObject({ name: 'B', value: 3, baseline: 20, ratio: 5 }); // ratios 5, 10, 2 (a/b)
  });

  it('discards warm-up runs and leaves out figures no run produced', async () => {
    const seen: number[] = [];
    const out = await medianOfRuns(2, (i) => (seen.push(i), { a: i }), [{ key: 'a', name: 'A', unit: 'u' }, { key: 'z', name: 'Z', unit: 'u' }], 1);
    expect(seen).toEqual([-1, 0, 1]);
    expect(out.map((r) => r.name)).toEqual(['A']);
    expect(out[0]!.value).toBe(0.5);
  });

  it('toRow gives every results.json field', () => {
    expect(toRow('g', { name: 'n', value: 2, unit: 'u' })).toEqual({ group: 'g', name: 'n', value: 2, unit: 'u', runs: 1, median: 2, note: '' });
    expect(toRow('g', { name: 'n', value: 2, unit: 'u', runs: 3, samples: [1, 2, 3], ratio: 0.5, baseline: 4, note: 'x' }))
      .toEqual({ group: 'g', name: 'n', value: 2, unit: 'u', runs: 3, median: 2, samples: [1, 2, 3], ratio: 0.5, baseline: 4, note: 'x' });
  });
});

describe('tick-to-order pairing', () => {
  it.each([
    ['one frame, one order', [0], [5], [5]],
    ['only the first order after a frame counts', [0], [5, 6], [5]],
    ['each frame its first order', [0, 10], [5, 12, 13], [5, 2]],
    ['an order pairs with the last frame before it', [0, 1, 2], [4], [2]],
    ['orders before any frame do not count', [10], [5, 15], [5]],
    ['beyond the window does not count', [0], [600], []],
  ])('%s', (_label, frames, posts, want) => {
    expect(pairFirstOrders(frames, posts, 500)).toEqual(want);
  });
});

describe('generated frames are what the parsers accept', () => {
  it('user frames: every one parses without a problem into our fills and order updates, trade ids distinct per order', () => {
    const tape = userTape(30, Date.UTC(2026, 0, 1));
    expect(tape.frames).toHaveLength(180);
    const kinds: string[] = [];
    const fills = new Set<string>();
    for (const f of tape.frames) {
      const r = parseUserFrame(f, { ourOrderIds: (id) => tape.ourOrders.has(id), apiKey: API_KEY, funder: FUNDER, now: 0 });
      expect(r.problems).toEqual([]);
      for (const e of r.events) {
        kinds.push(e.type === 'fill' || e.type === 'order' ? `${e.type}:${e.status}` : e.type);
        if (e.type === 'fill') {
          expect(e.size).toBe(25_000_000n); // our maker entry, not the taker's 40
          fills.add(e.tradeId!);
        }
      }
    }
    expect(kinds.slice(0, 6)).toEqual(['order:LIVE', 'fill:MATCHED', 'order:LIVE', 'fill:MINED', 'fill:CONFIRMED', 'order:CANCELED']);
    expect(fills.size).toBe(30);
  });

  it('market frames: books and price changes parse without a problem', () => {
    const frames = marketFrames(50, Date.UTC(2026, 0, 1));
    const types = frames.flatMap((f) => {
      const r = parseMarketFrame(f, 0);
      expect(r.problems).toEqual([]);
      return r.events.map((e) => e.type);
    });
    expect(types.filter((t) => t === 'book')).toHaveLength(5);
    expect(types.filter((t) => t === 'book_delta')).toHaveLength(45);
  });
});
