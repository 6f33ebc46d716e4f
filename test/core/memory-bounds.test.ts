/**
 * Memory under steady churn (issue 13): after many orders submitted, filled, failed, cancelled and
 * absorbed by snapshots, every map the engine keeps is bounded by open state, the dedup window or a
 * fixed memory — not by history. Sizes are counted through the managers' retainedCounts(), never
 * measured as memory. The dedup window still refuses a replayed fill inside it.
 */
import { describe, expect, it } from 'vitest';
import { App } from '../../app/app.ts';
import { VirtualClock } from '../../core/clock.ts';
import { parseConfig } from '../../core/config/load.ts';
import type { InboundEvent } from '../../core/events.ts';
import { createLogger } from '../../core/logger.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { START, sh } from './harness.ts';

const TOKENS = ['2001', '2002', '2003', '2004', '2005'];
const STEP_MS = 10;
const WINDOW_S = 60;

/** Per order: submit, LIVE, fill (every 7th then FAILED), CANCELED, book, snapshot absorbing the fill. */
function* churn(orders: number): Generator<InboundEvent> {
  const confirmed = new Map(TOKENS.map((t) => [t, sh(1000)]));
  let at = START;
  const next = () => (at += STEP_MS);
  for (const t of TOKENS) yield { type: 'balance', at: next(), source: 'chain', balances: new Map([[t, confirmed.get(t)!]]) };
  for (let k = 0; k < orders; k++) {
    const tokenId = TOKENS[k % TOKENS.length]!;
    const orderId = `0x${k.toString(16).padStart(64, '0')}`;
    const side = k % 4 === 3 ? 'SELL' : 'BUY';
    const failed = k % 7 === 0;
    yield { type: 'submit', at: next(), orderId, tokenId, side, price: sh(0.5), size: sh(10) };
    yield { type: 'order', at: next(), orderId, tokenId, side, status: 'LIVE', originalSize: sh(10), sizeMatched: 0n };
    yield { type: 'fill', at: next(), tradeId: `t${k}`, orderId, tokenId, side, size: sh(4), price: sh(0.5), status: 'MATCHED' };
    if (failed) yield { type: 'fill', at: next(), tradeId: `t${k}`, orderId, tokenId, side, size: sh(4), price: sh(0.5), status: 'FAILED' };
    yield { type: 'order', at: next(), orderId, status: 'CANCELED', sizeMatched: failed ? 0n : sh(4) };
    const mid = sh(0.3) + BigInt(k % 40) * sh(0.01);
    yield { type: 'book', at: next(), tokenId, bids: [[mid - sh(0.01), sh(100)]], asks: [[mid + sh(0.01), sh(100)]] } as InboundEvent;
    if (!failed) confirmed.set(tokenId, confirmed.get(tokenId)! + (side === 'BUY' ? sh(4) : -sh(4)));
    yield { type: 'balance', at: next(), source: 'chain', balances: new Map([[tokenId, confirmed.get(tokenId)!]]), block: BigInt(k + 1) };
  }
}

async function start() {
  const config = parseConfig(
    [
      'reconciler: { kind: oldest-first, pendingFillTtlSeconds: 120 }',
      'risk:',
      '  policies:',
      '    - { kind: conservative-limits, maxPositionShares: 1000000000 }',
      'alerts: []',
      'ledger: { kind: memory }',
      `engine: { checkpointEverySeconds: 300, dedupWindowSeconds: ${WINDOW_S} }`,
    ].join('\n'),
    new PluginRegistry(),
  );
  const clock = new VirtualClock(START);
  const app = App.create(config, { clock, ledger: { kind: 'memory' }, withoutSources: true, logger: createLogger({ level: 'silent' }) });
  await app.start();
  const ingest = (e: InboundEvent) => {
    clock.advanceTo(e.at);
    app.engine.ingest(e);
  };
  return { app, clock, ingest };
}

describe('memory under steady churn', () => {
  it('keeps every engine map bounded by open state, the dedup window or the closed-order memory', async () => {
    const { app, clock, ingest } = await start();
    const orders = 10_500; // past the closed-order memory of 10 000
    for (const e of churn(orders)) ingest(e);
    const { engine } = app;

    const o = engine.orders.retainedCounts();
    expect(o.open).toBe(0);
    expect(o.cashReserved).toBe(0);
    // The closed-order memory (10 000) bounds what closed orders leave behind.
    expect(o.closed).toBe(10_000);
    expect(o.fillMatched).toBeLessThanOrEqual(10_000);
    expect(o.failedMatched).toBeLessThanOrEqual(10_000);

    const inv = engine.inventory.retainedCounts();
    expect(inv.positions).toBe(TOKENS.length);
    expect(inv.pending).toBe(0);
    expect(inv.ageTimers).toBeLessThanOrEqual(TOKENS.length);
    // One fill per order, orders ≥ 60 ms apart: at most WINDOW / 60 ms keys are inside the window.
    const perWindow = Math.ceil((WINDOW_S * 1000) / (6 * STEP_MS));
    expect(inv.dedupKeys).toBeLessThanOrEqual(perWindow + 1);
    expect(inv.dedupTradeKeys).toBeLessThanOrEqual(inv.dedupKeys);
    expect(inv.dedupTradeIds).toBeLessThanOrEqual(inv.dedupKeys);

    const pnl = engine.pnl.retainedCounts();
    expect(pnl).toEqual({ tokens: TOKENS.length, sellBookings: 0 });

    // The bound is the window, not a loss of dedup: a fill replayed inside the window is refused.
    const last = orders - 3; // a BUY whose fill was not FAILED
    const before = engine.inventory.counters.duplicate;
    const effective = engine.position(TOKENS[last % TOKENS.length]!).effective;
    ingest({ type: 'fill', at: clock.now() + STEP_MS, tradeId: `t${last}`, orderId: `0x${last.toString(16).padStart(64, '0')}`, tokenId: TOKENS[last % TOKENS.length]!, side: 'BUY', size: sh(4), price: sh(0.5), status: 'MATCHED' });
    expect(engine.inventory.counters.duplicate).toBe(before + 1);
    expect(engine.position(TOKENS[last % TOKENS.length]!).effective).toBe(effective);
    await app.dispose();
  }, 120_000);
});
