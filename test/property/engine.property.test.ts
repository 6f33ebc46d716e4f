/**
 * Engine invariants under random interleavings of fills, submits, order updates, cancel requests,
 * snapshots, feed gaps and reconnects (the next snapshot is then forced) and time, driven through the real Engine (App, memory ledger, VirtualClock).
 *
 * The feed is random but not self-contradictory, because some inputs are exogenous facts the
 * engine must accept even when they break a limit (a snapshot showing more than we bought is
 * reported, not refused). So the generator keeps to what a consistent venue and chain can say:
 *  - the strategy submits a BUY only at the size `adjustedOrderSize('BUY', …)` admits;
 *  - a BUY fill belongs to one of our open BUY orders and is at most its remaining size;
 *  - an order update never resizes an order, and its size_matched never runs ahead of the
 *    trades we have seen for it (the engine treats that as a feed gap);
 *  - a snapshot rises by at most the pending BUY fills (it confirms them), or falls; a confirming
 *    move is 0 or at least the tolerance (the chain moves by whole trades; a sub-tolerance move is
 *    "not caught up yet" by design, leaves pending fills alone and so shifts effective by < tolerance);
 *  - a FAILED re-send never targets a fill the chain already partly absorbed.
 * Under that feed, after every step:
 *  (a) confirmed + pendingFillBuys + pendingOrderBuys ≤ limit;
 *  (b) a confirming snapshot (old + k, tolerance ≤ k ≤ same-direction pending) moves effective
 *      size by at most the tolerance;
 *  (c) effective − confirmed is the signed sum of the distinct live pending fills, and re-sending
 *      a fill already seen never changes effective (FAILED only removes what is still pending);
 *  (d) no pending fill, pending total or reservation is ever negative.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absMicros, type Micros } from '../../core/amounts.ts';
import { App } from '../../app/app.ts';
import { VirtualClock } from '../../core/clock.ts';
import { parseConfig } from '../../core/config/load.ts';
import type { FillStatus, OrderStatus, Side } from '../../core/events.ts';
import { createMemoryLogger } from '../../core/logger.ts';
import { PluginRegistry } from '../../plugins/registry.ts';

const TOKEN = '7';
const LIMIT = 100_000_000n;
const TOLERANCE = 10_000n;
const CONFIG = parseConfig(
  [
    'reconciler: { kind: oldest-first, pendingFillTtlSeconds: 20, toleranceShares: 0.01 }',
    'risk:',
    '  policies:',
    '    - { kind: conservative-limits, maxPositionShares: 100 }',
    '    - { kind: degrade, thresholdShares: 40, forSeconds: 5 }',
    'alerts: []',
    'ledger: { kind: memory }',
  ].join('\n'),
  new PluginRegistry(),
);

const cents = (n: number): Micros => BigInt(n) * 10_000n;
const trade = fc.option(fc.constantFrom('t0', 't1', 't2', 't3', 't4'), { nil: undefined, freq: 5 });
const newStatus = fc.constantFrom<FillStatus>('MATCHED', 'MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED');
const anyStatus = fc.constantFrom<FillStatus>('MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED', 'FAILED');

type Op =
  | { k: 'submitBuy'; want: number }
  | { k: 'submitSell'; size: number }
  | { k: 'fillBuy'; pick: number; size: number; trade: string | undefined; status: FillStatus }
  | { k: 'fillSell'; size: number; trade: string | undefined; status: FillStatus }
  | { k: 'resend'; pick: number; status: FillStatus }
  | { k: 'order'; pick: number; status: OrderStatus; matched: number | undefined }
  | { k: 'cancel'; pick: number }
  | { k: 'snapshot'; mode: 'rise' | 'fall' | 'down' | 'same'; frac: number }
  | { k: 'advance'; ms: number }
  | { k: 'gap'; reconnect: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('submitBuy' as const), want: fc.integer({ min: 1, max: 10_000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('submitSell' as const), size: fc.integer({ min: 1, max: 3_000 }) }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('fillBuy' as const), pick: fc.nat(), size: fc.integer({ min: 1, max: 4_000 }), trade, status: newStatus }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('fillSell' as const), size: fc.integer({ min: 1, max: 2_000 }), trade, status: newStatus }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('resend' as const), pick: fc.nat(), status: anyStatus }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('order' as const), pick: fc.nat(),
      status: fc.constantFrom<OrderStatus>('LIVE', 'LIVE', 'MATCHED', 'CANCELED', 'EXPIRED', 'REJECTED', 'INVALID'),
      matched: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('snapshot' as const), mode: fc.constantFrom('rise' as const, 'rise' as const, 'fall' as const, 'down' as const, 'same' as const), frac: fc.integer({ min: 0, max: 100 }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 8_000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('gap' as const), reconnect: fc.boolean() }) },
);

interface Sent {
  tradeId: string;
  orderId: string | undefined;
  side: Side;
  size: Micros;
  key: string;
}

async function runOps(ops: Op[]): Promise<void> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const app = App.create(CONFIG, { clock, ledger: { kind: 'memory' }, withoutSources: true, logger: createMemoryLogger('silent').logger });
  await app.start();
  const e = app.engine;
  const sent: Sent[] = [];
  const seenKeys = new Set<string>();
  let orderNo = 0;
  let forced = false;
  const now = () => clock.now();
  const pos = () => e.position(TOKEN);
  e.ingest({ type: 'balance', at: now(), source: 'chain', balances: new Map([[TOKEN, 0n]]) });

  /** Sends a fill and checks (c) for re-sends of a key already seen. */
  const sendFill = (f: { tradeId: string | undefined; orderId: string | undefined; side: Side; size: Micros; status: FillStatus }, step: string) => {
    const key = f.tradeId ? (f.orderId ? `${f.tradeId}:${f.orderId}` : f.tradeId) : undefined;
    const before = pos();
    const pendingBefore = key ? before.pendingFills.find((p) => p.key === key) : undefined;
    e.ingest({ type: 'fill', at: now(), tokenId: TOKEN, side: f.side, size: f.size, price: 500_000n, status: f.status, ...(f.tradeId && { tradeId: f.tradeId }), ...(f.orderId && { orderId: f.orderId }) });
    const after = pos();
    if (key && seenKeys.has(key)) {
      const expected = f.status === 'FAILED' && pendingBefore ? before.effective - (pendingBefore.side === 'BUY' ? pendingBefore.size : -pendingBefore.size) : before.effective;
      expect(after.effective, `${step}: re-sent ${key} (${f.status}) changed effective`).toBe(expected);
    }
    if (key && !seenKeys.has(key)) {
      seenKeys.add(key);
      sent.push({ tradeId: f.tradeId!, orderId: f.orderId, side: f.side, size: f.size, key });
    }
  };

  try {
    for (const [i, op] of ops.entries()) {
      const step = `step ${i} ${JSON.stringify(op)}`;
      const p0 = pos();
      switch (op.k) {
        case 'submitBuy': {
          const size = e.adjustedOrderSize('BUY', TOKEN, cents(op.want));
          if (size > 0n) e.ingest({ type: 'submit', at: now(), orderId: `o${++orderNo}`, tokenId: TOKEN, side: 'BUY', price: 500_000n, size });
          break;
        }
        case 'submitSell':
          e.ingest({ type: 'submit', at: now(), orderId: `o${++orderNo}`, tokenId: TOKEN, side: 'SELL', price: 500_000n, size: cents(op.size) });
          break;
        case 'fillBuy': {
          const open = e.orders.openOrders().filter((o) => o.side === 'BUY');
          const o = open[op.pick % Math.max(1, open.length)];
          if (!o) break;
          const remaining = o.originalSize - o.matched;
          const key = op.trade ? `${op.trade}:${o.orderId}` : undefined;
          if (remaining <= 0n || (key && seenKeys.has(key) && op.status === 'FAILED')) break;
          const size = cents(op.size) < remaining ? cents(op.size) : remaining;
          sendFill({ tradeId: op.trade, orderId: o.orderId, side: 'BUY', size, status: op.status }, step);
          break;
        }
        case 'fillSell': {
          const key = op.trade;
          const clash = key && seenKeys.has(key) ? sent.find((s) => s.key === key) : undefined;
          if (clash && (clash.side === 'BUY' || op.status === 'FAILED')) break;
          sendFill({ tradeId: op.trade, orderId: undefined, side: 'SELL', size: cents(op.size), status: op.status }, step);
          break;
        }
        case 'resend': {
          const s = sent[op.pick % Math.max(1, sent.length)];
          if (!s) break;
          const live = pos().pendingFills.find((f) => f.key === s.key);
          if (op.status === 'FAILED' && live && live.size !== live.originalSize) break;
          sendFill({ tradeId: s.tradeId, orderId: s.orderId, side: s.side, size: s.size, status: op.status }, step);
          break;
        }
        case 'order': {
          const open = e.orders.openOrders();
          const o = open[op.pick % Math.max(1, open.length)];
          if (!o) break;
          const seen = e.orders.filledByTrades(o.orderId);
          const sizeMatched = op.matched === undefined ? undefined : (seen * BigInt(op.matched)) / 100n;
          e.ingest({ type: 'order', at: now(), orderId: o.orderId, status: op.status, ...(sizeMatched !== undefined && { sizeMatched }) });
          break;
        }
        case 'cancel': {
          const open = e.orders.openOrders();
          const o = open[op.pick % Math.max(1, open.length)];
          if (o) e.ingest({ type: 'cancel', at: now(), orderId: o.orderId });
          break;
        }
        case 'snapshot': {
          const same = op.mode === 'rise' ? p0.pendingBuys : p0.pendingSells;
          let next = p0.confirmed;
          // The chain moves by whole trades: a confirming move is 0 or at least the tolerance.
          let move = (same * BigInt(op.frac)) / 100n;
          if (move < TOLERANCE) move = same >= TOLERANCE ? TOLERANCE : 0n;
          if (op.mode === 'rise') next += move;
          else if (op.mode === 'fall') next -= move;
          else if (op.mode === 'down') next -= p0.pendingSells + cents(op.frac * 10);
          if (next < 0n) next = 0n;
          e.ingest({ type: 'balance', at: now(), source: 'chain', balances: new Map([[TOKEN, next]]) });
          const k = absMicros(next - p0.confirmed);
          const wasForced = forced;
          forced = false;
          if (wasForced) {
            // After a reconnect or gap the snapshot is trusted outright (architecture.md step 6).
            expect(pos().pendingFills, step).toEqual([]);
            expect(pos().effective, step).toBe(next);
          } else if ((op.mode === 'rise' || op.mode === 'fall') && k >= TOLERANCE && k <= same) {
            expect(absMicros(pos().effective - p0.effective) <= TOLERANCE, `${step}: confirming snapshot moved effective ${p0.effective} → ${pos().effective}`).toBe(true);
          }
          break;
        }
        case 'advance':
          clock.advanceBy(op.ms);
          break;
        case 'gap':
          if (op.reconnect) {
            e.ingest({ type: 'connection', at: now(), channel: 'user', state: 'disconnected' });
            e.ingest({ type: 'connection', at: now(), channel: 'user', state: 'connected' });
          } else e.ingest({ type: 'gap', at: now(), channel: 'user' });
          forced = true;
          break;
      }

      const p = pos();
      // (a)
      expect(p.conservativeExposure <= LIMIT, `${step}: exposure ${p.conservativeExposure} > limit (confirmed ${p.confirmed}, fills ${p.pendingBuys}, orders ${p.pendingOrderBuys})`).toBe(true);
      // (c)
      const buys = p.pendingFills.filter((f) => f.side === 'BUY').reduce((s, f) => s + f.size, 0n);
      const sells = p.pendingFills.filter((f) => f.side === 'SELL').reduce((s, f) => s + f.size, 0n);
      expect(new Set(p.pendingFills.map((f) => f.key)).size).toBe(p.pendingFills.length);
      expect([p.pendingBuys, p.pendingSells], step).toEqual([buys, sells]);
      expect(p.effective - p.confirmed, step).toBe(buys - sells);
      // (d)
      for (const f of p.pendingFills) expect(f.size > 0n && f.size <= f.originalSize, `${step}: pending ${f.key} size ${f.size}`).toBe(true);
      expect(p.pendingOrderBuys >= 0n, `${step}: reservation ${p.pendingOrderBuys}`).toBe(true);
      const reserved = e.orders.openOrders().filter((o) => o.side === 'BUY').reduce((s, o) => s + (o.originalSize - o.matched), 0n);
      for (const o of e.orders.openOrders()) expect(o.matched >= 0n && o.matched <= o.originalSize, step).toBe(true);
      expect(p.pendingOrderBuys, step).toBe(reserved);
    }
  } finally {
    await app.dispose();
  }
}

describe('engine invariants under random interleavings', () => {
  it('keep exposure under the limit, confirmation neutral, every fill counted once and nothing negative', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 80, size: 'max' }), runOps), { numRuns: 200 });
  });
});
