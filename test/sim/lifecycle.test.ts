import { describe, expect, it } from 'vitest';
import { parseMicros } from '../../core/amounts.ts';
import { COLLATERAL } from '../../sim/exchange/balances.ts';
import { ExchangeEngine } from '../../sim/exchange/engine.ts';
import { TradeLifecycle, type Timers } from '../../sim/exchange/lifecycle.ts';
import { MemorySettlement } from '../../sim/exchange/settlement.ts';
import type { SimMarket, TradeStatus } from '../../sim/exchange/types.ts';

const M = (s: string) => parseMicros(s, 'test');
const market: SimMarket = {
  conditionId: '0xc0', question: 'q', tokens: ['1', '2'], tickSize: M('0.01'), minOrderSize: M('5'), negRisk: false,
  rewardsMaxSpread: M('3'), rewardsMinSize: M('20'), rewardsDailyRate: M('10'),
};
const A = '0xaaaa';
const B = '0xbbbb';

/** Timers run by hand: `advance(ms)` fires everything due, in time order. */
function manualTimers() {
  let now = 0;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = ++seq;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h) => void due.delete(h as number),
  };
  return {
    timers,
    now: () => now,
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = [...due.entries()].filter(([, d]) => d.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!next) break;
        due.delete(next[0]);
        now = next[1].at;
        next[1].fn();
        await new Promise((r) => setImmediate(r));
      }
      now = end;
    },
  };
}

function setup(over: { failRate?: number; retryRate?: number } = {}) {
  const engine = new ExchangeEngine({ markets: [market], seed: 3, failRate: over.failRate ?? 0, retryRate: over.retryRate ?? 0, gtdMinLifetimeSeconds: 0, gtdEarlySeconds: 0 });
  const chain = new MemorySettlement(new Map([['0xc0', ['1', '2'] as const]]));
  for (const who of [A, B]) {
    chain.fund(who, M('100'), [['1', M('100')], ['2', M('100')]]);
    engine.balances.set(who, COLLATERAL, M('100'));
    for (const t of ['1', '2']) engine.balances.set(who, t, M('100'));
  }
  const clock = manualTimers();
  const errors: unknown[] = [];
  const life = new TradeLifecycle(engine, chain, { minedDelayMs: 1000, confirmedDelayMs: 2000, retryDelayMs: 500, maxSettleErrors: 3 }, clock.now, (_id, e) => errors.push(e), clock.timers);
  const statuses: TradeStatus[] = [];
  engine.on((e) => void (e.type === 'trade' && statuses.push(e.trade.status)));
  let n = 0;
  const trade = () => {
    const id = () => `0x${(++n).toString(16).padStart(64, '0')}`;
    engine.submit({ id: id(), owner: 'ka', maker: A, signer: A, tokenId: '1', side: 'SELL', price: M('0.5'), size: M('10'), orderType: 'GTC', postOnly: false, expiration: 0 }, clock.now());
    engine.submit({ id: id(), owner: 'kb', maker: B, signer: B, tokenId: '1', side: 'BUY', price: M('0.5'), size: M('10'), orderType: 'GTC', postOnly: false, expiration: 0 }, clock.now());
  };
  return { engine, chain, clock, life, statuses, errors, trade };
}

describe('trade lifecycle', () => {
  it('settles at MINED after the delay and confirms later', async () => {
    const { chain, clock, statuses, trade } = setup();
    trade();
    await clock.advance(999);
    expect(statuses).toEqual(['MATCHED']);
    expect(await chain.balanceOf(B, '1')).toBe(M('100'));
    await clock.advance(1);
    expect(statuses).toEqual(['MATCHED', 'MINED']);
    expect(await chain.balanceOf(B, '1')).toBe(M('110'));
    await clock.advance(2000);
    expect(statuses).toEqual(['MATCHED', 'MINED', 'CONFIRMED']);
  });

  it('goes through RETRYING on a settlement error and settles once the chain answers', async () => {
    const { chain, clock, statuses, errors, trade } = setup();
    chain.failNext = 2;
    trade();
    await clock.advance(5000);
    expect(statuses).toEqual(['MATCHED', 'RETRYING', 'RETRYING', 'MINED', 'CONFIRMED']);
    expect(errors).toHaveLength(2);
    expect(chain.calls).toHaveLength(1);
  });

  it('declares a trade FAILED after too many settlement errors and never settles it', async () => {
    const { engine, chain, clock, statuses, trade } = setup();
    chain.failNext = 10;
    trade();
    await clock.advance(10_000);
    expect(statuses).toEqual(['MATCHED', 'RETRYING', 'RETRYING', 'FAILED']);
    expect(chain.calls).toHaveLength(0);
    expect(engine.balances.get(B, '1')).toBe(M('100'));
    expect(engine.available(A, '1')).toBe(M('100'));
  });

  it('follows the fate drawn at match time: retries first, or FAILED without touching the chain', async () => {
    const failing = setup({ failRate: 1 });
    failing.trade();
    await failing.clock.advance(10_000);
    expect(failing.statuses).toEqual(['MATCHED', 'FAILED']);
    expect(failing.chain.calls).toHaveLength(0);
    const retrying = setup({ retryRate: 1 });
    retrying.trade();
    await retrying.clock.advance(10_000);
    expect(retrying.statuses[0]).toBe('MATCHED');
    expect(retrying.statuses.slice(-2)).toEqual(['MINED', 'CONFIRMED']);
    expect(retrying.statuses.filter((s) => s === 'RETRYING').length).toBeGreaterThanOrEqual(1);
  });
});
