import { describe, expect, it } from 'vitest';
import type { Micros } from '../../core/amounts.ts';
import { agePending, reconcilePending, type ReconcileOutcome } from '../../core/inventory/reconcile.ts';
import type { PendingFill } from '../../core/inventory/tracked-position.ts';
import type { Side } from '../../core/events.ts';
import { sh } from './harness.ts';

let clock = 0;
function pf(key: string, side: Side, size: string | number, firstSeenAt = ++clock): PendingFill {
  const s = sh(size);
  return { key, tradeId: key, orderId: undefined, side, size: s, originalSize: s, price: sh('0.5'), firstSeenAt, status: 'MATCHED' };
}
const effective = (confirmed: Micros, pending: readonly PendingFill[]) =>
  pending.reduce((e, f) => (f.side === 'BUY' ? e + f.size : e - f.size), confirmed);
const summary = (pending: readonly PendingFill[]) => pending.map((f) => `${f.key}:${f.side}:${Number(f.size) / 1e6}`);

const TOL = sh('0.01');

describe('reconcilePending', () => {
  it.each<{
    description: string;
    old: string;
    next: string;
    pending: PendingFill[];
    tolerance?: Micros;
    outcome: ReconcileOutcome;
    absorbed: string;
    unexplained: string;
    remaining: string[];
    absorbedKeys: string[];
    reducedKey?: string;
  }>([
    {
      description: 'a move below tolerance leaves pending fills alone (the source has not caught up)',
      old: '100', next: '100.005', pending: [pf('a', 'BUY', 30)],
      outcome: 'unchanged', absorbed: '0', unexplained: '0', remaining: ['a:BUY:30'], absorbedKeys: [],
    },
    {
      description: 'no move at all is unchanged',
      old: '100', next: '100', pending: [pf('a', 'BUY', 30), pf('b', 'SELL', 5)],
      outcome: 'unchanged', absorbed: '0', unexplained: '0', remaining: ['a:BUY:30', 'b:SELL:5'], absorbedKeys: [],
    },
    {
      description: 'an exact match with old + all pending confirms and clears them all',
      old: '100', next: '180', pending: [pf('a', 'BUY', 30), pf('b', 'BUY', 30), pf('c', 'BUY', 20)],
      outcome: 'all-confirmed', absorbed: '80', unexplained: '0', remaining: [], absorbedKeys: ['a', 'b', 'c'],
    },
    {
      description: 'a match within tolerance still confirms everything',
      old: '100', next: '179.995', pending: [pf('a', 'BUY', 30), pf('b', 'BUY', 50)],
      outcome: 'all-confirmed', absorbed: '80', unexplained: '0', remaining: [], absorbedKeys: ['a', 'b'],
    },
    {
      description: 'a rise absorbs the oldest pending buys first and reduces the boundary fill',
      old: '100', next: '150', pending: [pf('a', 'BUY', 30), pf('b', 'BUY', 30), pf('c', 'BUY', 20)],
      outcome: 'absorbed', absorbed: '50', unexplained: '0', remaining: ['b:BUY:10', 'c:BUY:20'], absorbedKeys: ['a'], reducedKey: 'b',
    },
    {
      description: 'a fall absorbs the oldest pending sells first',
      old: '100', next: '85', pending: [pf('a', 'SELL', 10), pf('b', 'SELL', 10), pf('c', 'SELL', 10)],
      outcome: 'absorbed', absorbed: '15', unexplained: '0', remaining: ['b:SELL:5', 'c:SELL:10'], absorbedKeys: ['a'], reducedKey: 'b',
    },
    {
      description: 'a rise exactly the size of the oldest fills removes them whole, reducing none',
      old: '0', next: '40', pending: [pf('a', 'BUY', 15), pf('b', 'BUY', 25), pf('c', 'BUY', 5)],
      outcome: 'absorbed', absorbed: '40', unexplained: '0', remaining: ['c:BUY:5'], absorbedKeys: ['a', 'b'],
    },
    {
      description: 'a rise larger than all pending buys absorbs them and reports the rest as a discrepancy',
      old: '100', next: '150', pending: [pf('a', 'BUY', 20), pf('b', 'BUY', 10)],
      outcome: 'discrepancy', absorbed: '30', unexplained: '20', remaining: [], absorbedKeys: ['a', 'b'],
    },
    {
      description: 'a fall with only pending buys is a discrepancy against the pending direction and absorbs nothing',
      old: '100', next: '90', pending: [pf('a', 'BUY', 20)],
      outcome: 'discrepancy', absorbed: '0', unexplained: '-10', remaining: ['a:BUY:20'], absorbedKeys: [],
    },
    {
      description: 'a move with no pending fills at all is a discrepancy',
      old: '100', next: '103', pending: [],
      outcome: 'discrepancy', absorbed: '0', unexplained: '3', remaining: [], absorbedKeys: [],
    },
    {
      description: 'mixed buys and sells: a rise absorbs only buys, oldest first, and keeps the sells in place',
      old: '100', next: '140', pending: [pf('a', 'BUY', 30), pf('b', 'SELL', 10), pf('c', 'BUY', 20), pf('d', 'SELL', 5)],
      outcome: 'absorbed', absorbed: '40', unexplained: '0', remaining: ['b:SELL:10', 'c:BUY:10', 'd:SELL:5'], absorbedKeys: ['a'], reducedKey: 'c',
    },
    {
      description: 'mixed buys and sells: a move equal to the net of all pending confirms them all',
      old: '100', next: '135', pending: [pf('a', 'BUY', 30), pf('b', 'SELL', 10), pf('c', 'BUY', 20), pf('d', 'SELL', 5)],
      outcome: 'all-confirmed', absorbed: '65', unexplained: '0', remaining: [], absorbedKeys: ['a', 'b', 'c', 'd'],
    },
    {
      description: 'mixed buys and sells: a fall absorbs only sells',
      old: '100', next: '92', pending: [pf('a', 'BUY', 30), pf('b', 'SELL', 10)],
      outcome: 'absorbed', absorbed: '8', unexplained: '0', remaining: ['a:BUY:30', 'b:SELL:2'], absorbedKeys: [], reducedKey: 'b',
    },
    {
      description: 'tolerance 0: a one-micro move is not noise and is absorbed',
      old: '100', next: '100.000001', pending: [pf('a', 'BUY', 1)], tolerance: 0n,
      outcome: 'absorbed', absorbed: '0.000001', unexplained: '0', remaining: ['a:BUY:0.999999'], absorbedKeys: [], reducedKey: 'a',
    },
    {
      description: 'tolerance 0: no move is unchanged',
      old: '100', next: '100', pending: [pf('a', 'BUY', 1)], tolerance: 0n,
      outcome: 'unchanged', absorbed: '0', unexplained: '0', remaining: ['a:BUY:1'], absorbedKeys: [],
    },
    {
      description: 'tolerance 0: one micro more than pending is a discrepancy',
      old: '100', next: '101.000001', pending: [pf('a', 'BUY', 1)], tolerance: 0n,
      outcome: 'discrepancy', absorbed: '1', unexplained: '0.000001', remaining: [], absorbedKeys: ['a'],
    },
  ])('$description', ({ old, next, pending, tolerance, outcome, absorbed, unexplained, remaining, absorbedKeys, reducedKey }) => {
    const r = reconcilePending(sh(old), sh(next), pending, tolerance ?? TOL);
    expect(r.outcome).toBe(outcome);
    expect(r.moved).toBe(sh(next) - sh(old));
    expect(r.absorbed).toBe(sh(absorbed));
    expect(r.unexplained).toBe(sh(unexplained));
    expect(summary(r.pending)).toEqual(remaining);
    expect(r.absorbedKeys).toEqual(absorbedKeys);
    expect(r.reducedKey).toBe(reducedKey);
  });

  it('partial confirmation removes oldest fills first: API absorbs 50 of 80 pending, effective unchanged', () => {
    const pending = [pf('t-old', 'BUY', 30, 1), pf('t-mid', 'BUY', 30, 2), pf('t-new', 'BUY', 20, 3)];
    const before = effective(sh(100), pending);
    const r = reconcilePending(sh(100), sh(150), pending, TOL);
    expect(r.pending.map((f) => f.key)).toEqual(['t-mid', 't-new']);
    const boundary = r.pending[0]!;
    expect(boundary.tradeId).toBe('t-mid');
    expect(boundary.size).toBe(sh(10));
    expect(boundary.originalSize).toBe(sh(30));
    expect(r.pending[1]).toBe(pending[2]);
    expect(effective(sh(150), r.pending)).toBe(before);
  });

  it('does not mutate the pending fills it was given', () => {
    const pending = [pf('a', 'BUY', 30), pf('b', 'BUY', 30)];
    const copy = pending.map((f) => ({ ...f }));
    reconcilePending(sh(0), sh(45), pending, TOL);
    expect(pending).toEqual(copy);
  });
});

describe('agePending', () => {
  it.each([
    { description: 'ages out fills first seen at or before the cutoff and sums their net delta', cutoff: 20, aged: ['a', 'b'], kept: ['c'], net: '-5' },
    { description: 'keeps everything when all fills are newer than the cutoff', cutoff: 5, aged: [], kept: ['a', 'b', 'c'], net: '0' },
    { description: 'ages out everything when the cutoff is past the newest fill', cutoff: 30, aged: ['a', 'b', 'c'], kept: [], net: '2' },
  ])('$description', ({ cutoff, aged, kept, net }) => {
    const pending = [pf('a', 'BUY', 10, 10), pf('b', 'SELL', 15, 20), pf('c', 'BUY', 7, 30)];
    const r = agePending(pending, cutoff);
    expect(r.aged.map((f) => f.key)).toEqual(aged);
    expect(r.kept.map((f) => f.key)).toEqual(kept);
    expect(r.netDelta).toBe(sh(net));
  });
});
