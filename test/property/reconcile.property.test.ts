/** Invariants of the pure reconciliation function (architecture.md, "Reconciliation semantics"). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absMicros, mulMicros, type Micros } from '../../core/amounts.ts';
import { reconcilePending } from '../../core/inventory/reconcile.ts';
import { removedTotals, TrackedPosition, type PendingFill } from '../../core/inventory/tracked-position.ts';

const CENT = 10_000n; // 0.01 share in micros

const fillsArb = fc
  .array(fc.record({ side: fc.constantFrom('BUY' as const, 'SELL' as const), cents: fc.integer({ min: 1, max: 5_000 }), micros: fc.integer({ min: 0, max: 9_999 }) }), { maxLength: 12 })
  .map((fs) =>
    fs.map((f, i): PendingFill => {
      const size = BigInt(f.cents) * CENT + BigInt(f.micros);
      return { key: `k${i}`, tradeId: `k${i}`, orderId: undefined, side: f.side, size, originalSize: size, price: 500_000n, firstSeenAt: i, status: 'MATCHED' };
    }),
  );
const toleranceArb = fc.constantFrom(0n, 1n, CENT, 5n * CENT);
const confirmedArb = fc.bigInt({ min: 0n, max: 1_000n * 1_000_000n });

const signed = (f: PendingFill) => (f.side === 'BUY' ? f.size : -f.size);
const effective = (confirmed: Micros, pending: readonly PendingFill[]) => pending.reduce((e, f) => e + signed(f), confirmed);
const total = (pending: readonly PendingFill[], side: 'BUY' | 'SELL') => pending.filter((f) => f.side === side).reduce((s, f) => s + f.size, 0n);

describe('reconcilePending properties', () => {
  it('a snapshot that only confirms pending fills never changes effective size beyond the tolerance', () => {
    fc.assert(
      fc.property(fillsArb, confirmedArb, toleranceArb, fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), (pending, old, tolerance, rise, frac) => {
        const same = total(pending, rise ? 'BUY' : 'SELL');
        // k ≥ tolerance (and > 0), k ≤ same-direction pending
        const lo = tolerance > 0n ? tolerance : 1n;
        fc.pre(same >= lo);
        const k = lo + BigInt(Math.floor(Number(same - lo) * frac));
        const next = rise ? old + k : old - k;
        const r = reconcilePending(old, next, pending, tolerance);
        const drift = absMicros(effective(next, r.pending) - effective(old, pending));
        expect(drift <= tolerance).toBe(true);
        expect(r.outcome === 'absorbed' || r.outcome === 'all-confirmed').toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('absorbs exactly min(|move|, same-direction pending), oldest first, never growing or reordering a fill', () => {
    fc.assert(
      fc.property(fillsArb, confirmedArb, fc.bigInt({ min: -200_000_000n, max: 200_000_000n }), toleranceArb, (pending, old, move, tolerance) => {
        const r = reconcilePending(old, old + move, pending, tolerance);
        const side = move > 0n ? 'BUY' : 'SELL';
        if (r.outcome === 'unchanged') {
          expect(r.pending).toBe(pending);
          expect(absMicros(move) < tolerance || (tolerance === 0n && move === 0n)).toBe(true);
          return;
        }
        if (r.outcome === 'all-confirmed') {
          expect(r.pending).toEqual([]);
          expect(absMicros(old + move - effective(old, pending)) <= tolerance).toBe(true);
          return;
        }
        const same = total(pending, side);
        const expected = absMicros(move) < same ? absMicros(move) : same;
        expect(r.absorbed).toBe(expected);
        // Only same-side fills lost size, and by exactly the absorbed amount.
        expect(total(pending, side) - total(r.pending, side)).toBe(expected);
        const other = side === 'BUY' ? 'SELL' : 'BUY';
        expect(total(r.pending, other)).toBe(total(pending, other));
        // Remaining fills keep their order and never grow; every size stays positive.
        const idx = r.pending.map((f) => pending.findIndex((p) => p.key === f.key));
        expect(idx.every((v, i) => v >= 0 && (i === 0 || v > idx[i - 1]!))).toBe(true);
        for (const f of r.pending) {
          expect(f.size > 0n).toBe(true);
          expect(f.size <= pending.find((p) => p.key === f.key)!.size).toBe(true);
        }
        // Oldest first: every absorbed (fully removed) same-side fill is older than every kept same-side fill.
        const keptSame = r.pending.filter((f) => f.side === side).map((f) => f.firstSeenAt);
        const goneSame = pending.filter((f) => f.side === side && !r.pending.some((k) => k.key === f.key)).map((f) => f.firstSeenAt);
        if (keptSame.length && goneSame.length) expect(Math.max(...goneSame) < Math.min(...keptSame)).toBe(true);
        // The part of the move nothing explains is reported, and is a discrepancy when above tolerance.
        expect(r.unexplained).toBe(move - (move > 0n ? expected : -expected));
        expect(r.outcome).toBe(absMicros(r.unexplained) > 0n && !(tolerance === 0n ? r.unexplained === 0n : absMicros(r.unexplained) < tolerance) ? 'discrepancy' : 'absorbed');
      }),
      { numRuns: 500 },
    );
  });
});

describe('reconcilePending given the totals the position keeps', () => {
  it('gives exactly what it gives when it sums the pending fills itself', () => {
    fc.assert(
      fc.property(fillsArb, confirmedArb, fc.bigInt({ min: -200_000_000n, max: 200_000_000n }), toleranceArb, (pending, old, move, tolerance) => {
        const totals = { buys: total(pending, 'BUY'), sells: total(pending, 'SELL') };
        expect(reconcilePending(old, old + move, pending, tolerance, totals)).toEqual(reconcilePending(old, old + move, pending, tolerance));
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('TrackedPosition totals', () => {
  // Sizes and prices as the feed has them, and some far past 2^53 micros (the bigint path).
  const amount = fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 9n }), fc.bigInt({ min: 1n, max: 10n ** 20n }));
  const fillArb = fc.record({ side: fc.constantFrom('BUY' as const, 'SELL' as const), size: amount, price: fc.oneof(fc.bigInt({ min: 0n, max: 1_000_000n }), amount) });
  const recomputed = (pending: Iterable<PendingFill>) => {
    let buys = 0n;
    let sells = 0n;
    let cash = 0n;
    for (const f of pending) {
      const c = mulMicros(f.size, f.price);
      if (f.side === 'BUY') {
        buys += f.size;
        cash -= c;
      } else {
        sells += f.size;
        cash += c;
      }
    }
    return { buys, sells, cash };
  };

  it('after removing any keys (in map order, out of it, repeated, unknown) equal the remaining fills summed again', () => {
    fc.assert(
      fc.property(fc.array(fillArb, { maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 35 }), { maxLength: 30 }), fc.boolean(), (fills, picks, ordered) => {
        const pos = new TrackedPosition('1');
        fills.forEach((f, i) => pos.put({ key: `k${i}`, tradeId: `k${i}`, orderId: undefined, side: f.side, size: f.size, originalSize: f.size, price: f.price, firstSeenAt: i, status: 'MATCHED' }));
        const keys = (ordered ? [...picks].sort((a, b) => a - b) : picks).map((i) => `k${i}`);
        pos.removeAll(keys);
        for (const k of keys) expect(pos.pending.has(k)).toBe(false);
        expect(pos.pending.size).toBe(fills.filter((_, i) => !keys.includes(`k${i}`)).length);
        const want = recomputed(pos.pending.values());
        expect({ buys: pos.pendingBuys, sells: pos.pendingSells, cash: pos.pendingCash }).toEqual(want);
      }),
      { numRuns: 2_000 },
    );
  });

  it('removedTotals sums in doubles exactly what the bigint sums give, and falls back past 2^53', () => {
    const fill = (size: bigint, price: bigint, side: 'BUY' | 'SELL' = 'BUY'): PendingFill => ({ key: 'k', tradeId: 'k', orderId: undefined, side, size, originalSize: size, price, firstSeenAt: 0, status: 'MATCHED' });
    // One cost just above 2^53 (a double would round it), sums that cross 2^53, a cost rounding up at exactly half.
    for (const fills of [[fill(3n, 3_002_399_751_833_333n)], [fill(2n ** 52n, 0n), fill(1n, 0n), fill(2n ** 52n, 0n), fill(5n, 1n, 'SELL')], [fill(1n, 500_000n), fill(3n, 166_667n, 'SELL')]]) {
      const want = recomputed(fills);
      expect(removedTotals(fills)).toEqual({ buys: want.buys, sells: want.sells, cash: -want.cash });
    }
  });
});
