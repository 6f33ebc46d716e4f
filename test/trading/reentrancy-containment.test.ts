/** Re-entrant events, ledger order for every subscriber, and containment of throwing parts. */
import { describe, expect, it } from 'vitest';
import type { SequencedEvent } from '../../core/events.ts';
import type { RiskPolicy } from '../../core/risk/policy.ts';
import type { Strategy, StrategyContext } from '../../core/strategy/strategy.ts';
import { YES, sh, startTrading } from './trading-harness.ts';

const fill = (t: Awaited<ReturnType<typeof startTrading>>, tradeId: string) =>
  t.engine.ingest({ type: 'fill', at: t.clock.now(), tradeId, tokenId: YES, side: 'BUY', size: sh(1), price: sh(0.5), status: 'MATCHED' });

describe('re-entrancy', () => {
  it('applies an event raised by a subscriber after the current one, and every subscriber sees ledger order', async () => {
    const t = await startTrading();
    const seenA: number[] = [];
    const seenB: number[] = [];
    t.app.bus.events$.subscribe((e) => {
      seenA.push(e.seq);
      // Reacting to a fill with a new event (as a strategy or a venue reconciliation would).
      if (e.event.type === 'fill' && e.event.tradeId === 't1') fill(t, 't1-reaction');
    });
    t.app.bus.events$.subscribe((e) => seenB.push(e.seq));
    fill(t, 't1');
    fill(t, 't2');
    const ledgerSeqs = t.app.ledger.query({}).map((r) => r.seq);
    expect(seenA).toEqual(ledgerSeqs);
    expect(seenB).toEqual(ledgerSeqs);
    expect(t.app.ledger.query({}).map((r) => (r.payload as { tradeId?: string }).tradeId)).toEqual(['t1', 't1-reaction', 't2']);
  });

  it('counts admitted submits still queued, so two cannot pass against the same room', async () => {
    const t = await startTrading({ limit: 100 });
    const answers: boolean[] = [];
    t.app.bus.events$.subscribe((e) => {
      if (e.event.type !== 'fill') return;
      for (const id of ['o1', 'o2']) {
        const r = t.engine.submitOrder({ type: 'submit', at: t.clock.now(), orderId: id, tokenId: YES, side: 'BUY', price: sh(0.5), size: sh(60) });
        answers.push(r.admitted);
      }
    });
    fill(t, 't1');
    expect(answers).toEqual([true, false]);
    expect(t.engine.position(YES).pendingOrderBuys).toBe(sh(60));
  });
});

describe('containment', () => {
  it('a throwing risk policy fails closed (halted, POLICY_FAILED) and the engine goes on', async () => {
    const t = await startTrading();
    const bad: RiskPolicy = { kind: 'bad', evaluateToken: () => { throw new Error('boom'); } };
    (t.engine.risk.policies as RiskPolicy[]).push(bad);
    fill(t, 't1');
    expect(t.engine.risk.decisionFor(YES)).toMatchObject({ mode: 'halted', reasons: expect.arrayContaining(['POLICY_FAILED']) });
    expect(t.alerts.filter((a) => a.code === 'POLICY_FAILED')).toHaveLength(1);
    fill(t, 't2');
    expect(t.engine.position(YES).pendingBuys).toBe(sh(2));
  });

  it('a throwing subscriber becomes an alert and a health state; other subscribers keep receiving', async () => {
    const t = await startTrading();
    const other: number[] = [];
    t.app.bus.fills$.subscribe(() => { throw new Error('subscriber bug'); });
    t.app.bus.events$.subscribe((e) => other.push(e.seq));
    fill(t, 't1');
    fill(t, 't2');
    await new Promise((r) => setTimeout(r, 10));
    expect(other).toHaveLength(2);
    expect(t.alerts.some((a) => a.code === 'SUBSCRIBER_FAILED' && a.message.includes('subscriber bug'))).toBe(true);
    expect(t.app.health.get('subscriber')?.state).toBe('failing');
  });

  it('a throwing timer callback becomes an alert and later timers still fire', async () => {
    const t = await startTrading();
    let fired = false;
    t.clock.scheduleAt(t.clock.now() + 10, () => { throw new Error('timer bug'); });
    t.clock.scheduleAt(t.clock.now() + 20, () => { fired = true; });
    t.clock.advanceBy(30);
    expect(fired).toBe(true);
    expect(t.alerts.some((a) => a.code === 'TIMER_FAILED')).toBe(true);
  });
});

const flush = async () => {
  for (let i = 0; i < 100; i++) await Promise.resolve();
};

/** Submits on every event it sees, and records what it saw. */
class EagerStrategy implements Strategy {
  readonly kind = 'eager';
  seen: SequencedEvent[] = [];
  ctx: StrategyContext | undefined;
  throwOn: ((e: SequencedEvent) => boolean) | undefined;
  start(ctx: StrategyContext) {
    this.ctx = ctx;
  }
  onEvent(e: SequencedEvent) {
    this.seen.push(e);
    if (this.throwOn?.(e)) throw new Error('strategy bug');
    if (e.event.type === 'fill') void this.ctx!.gateway.submit({ tokenId: YES, side: 'BUY', price: sh(0.4), size: sh(5), orderType: 'GTC', postOnly: true });
  }
  stop() {}
}

describe('strategies through the runner', () => {
  async function withStrategy() {
    const t = await startTrading({ limit: 1000 });
    const s = new EagerStrategy();
    const runner = new (await import('../../core/strategy/runner.ts')).StrategyRunner(t.app.bus, t.gateway, t.market, t.clock, t.app.logger, t.app.health, {
      alert: (a) => t.app.bus.publishAlert({ type: 'alert', at: t.clock.now(), ...a }),
    });
    await runner.start([{ name: 'eager', strategy: s }]);
    return { t, s, runner };
  }

  it('a strategy that submits on every event: every subscriber still sees ledger order', async () => {
    const { t, s } = await withStrategy();
    const other: number[] = [];
    t.app.bus.events$.subscribe((e) => other.push(e.seq));
    for (let i = 0; i < 5; i++) fill(t, `t${i}`);
    await flush();
    const ledger = t.app.ledger.query({}).map((r) => r.seq);
    expect(s.seen.map((e) => e.seq)).toEqual(ledger);
    expect(other).toEqual(ledger);
    expect(t.app.ledger.query({ types: ['submit'] })).toHaveLength(5);
  });

  it('a throwing strategy is stopped, its orders are cancelled, and the engine goes on', async () => {
    const { t, s, runner } = await withStrategy();
    fill(t, 't1');
    await flush();
    expect(t.engine.orders.openOrders()).toHaveLength(1);
    s.throwOn = (e) => e.event.type === 'fill';
    fill(t, 't2');
    await flush();
    expect(runner.states()).toEqual([{ name: 'eager', state: 'failed' }]);
    expect(t.alerts.map((a) => a.code)).toContain('STRATEGY_FAILED');
    expect(t.engine.orders.openOrders()).toHaveLength(0);
    expect(t.app.health.get('strategy:eager')?.state).toBe('failing');
    // The engine goes on, and the stopped strategy sends nothing more.
    const submits = t.app.ledger.query({ types: ['submit'] }).length;
    fill(t, 't3');
    await flush();
    expect(t.engine.position(YES).pendingBuys).toBe(sh(3));
    expect(t.app.ledger.query({ types: ['submit'] })).toHaveLength(submits);
  });
});
