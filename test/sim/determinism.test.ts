import { describe, expect, it } from 'vitest';
import { parseMicros } from '../../core/amounts.ts';
import { parseSimConfig } from '../../sim/config.ts';
import { COLLATERAL } from '../../sim/exchange/balances.ts';
import { ExchangeEngine } from '../../sim/exchange/engine.ts';
import type { SimMarket } from '../../sim/exchange/types.ts';
import { MarketFlow } from '../../sim/flow/market-flow.ts';

const M = (s: string) => parseMicros(s, 'test');
const markets: SimMarket[] = [0, 1].map((i) => ({
  conditionId: `0xc${i}`, question: `q${i}`, tokens: [`${i}1`, `${i}2`] as const, tickSize: M('0.01'), minOrderSize: M('5'), negRisk: i === 1,
  rewardsMaxSpread: M('3'), rewardsMinSize: M('20'), rewardsDailyRate: M('10'),
}));
const accounts = Array.from({ length: 7 }, (_, i) => ({ address: `0x${String(i + 1).repeat(40)}` }));
const US = accounts[0]!.address;

/** Runs the flow and our own orders for `steps` ticks with no clock: everything from the seed. */
function run(seed: number, steps: number) {
  const config = parseSimConfig({ seed, flow: { takerRatePerSecond: 2, tickMs: 1000, makers: 3 }, markets: [{ question: 'q0' }, { question: 'q1', negRisk: true, fairPrice: 0.3 }] });
  const engine = new ExchangeEngine({ markets, seed, failRate: 0.2, retryRate: 0.2, gtdMinLifetimeSeconds: 60, gtdEarlySeconds: 60 });
  for (const a of accounts) {
    engine.balances.set(a.address, COLLATERAL, M('100000'));
    for (const m of markets) for (const t of m.tokens) engine.balances.set(a.address, t, M('100000'));
  }
  const flow = new MarketFlow(engine, config, accounts.slice(1));
  let n = 0;
  for (let s = 0; s < steps; s++) {
    const t = 1_000_000 + s * 1000;
    flow.step(t);
    if (s % 10 === 0) {
      // Our quotes: a bid and an ask close to the touch of market 0.
      const b = engine.book('0xc0')!.tokenBook('01');
      const bid = b.bids[0]?.price ?? M('0.45');
      const ask = b.asks[0]?.price ?? M('0.55');
      for (const [side, price] of [['BUY', bid], ['SELL', ask]] as const) {
        engine.submit({ id: `0x${(++n).toString(16).padStart(64, '0')}`, owner: 'us', maker: US, signer: US, tokenId: '01', side, price, size: M('12'), orderType: 'GTC', postOnly: false, expiration: 0 }, t);
      }
    }
  }
  return engine.allTrades().map((x) => ({ id: x.id, taker: x.takerOrderId, token: x.tokenId, side: x.side, size: x.size, price: x.price, fate: x.fate, makers: x.makers.map((f) => [f.orderId, f.shares, f.price, f.kind]) }));
}

describe('determinism', () => {
  it('gives the same trades for the same seed and the same inbound orders', () => {
    const a = run(42, 150);
    const b = run(42, 150);
    expect(a.length).toBeGreaterThan(50);
    expect(b).toEqual(a);
    expect(run(43, 150)).not.toEqual(a);
  });

  it('produces partial and multi-maker fills, complement matches and fills of our resting orders', () => {
    const trades = run(7, 300);
    const kinds = new Set(trades.flatMap((t) => t.makers.map((m) => m[3])));
    expect(kinds).toEqual(new Set(['transfer', 'mint', 'merge']));
    expect(trades.some((t) => t.makers.length > 1)).toBe(true);
    expect(trades.some((t) => t.fate.fails)).toBe(true);
    // Our orders were filled as makers (ids we numbered from 1) and sometimes as takers.
    const ours = (id: unknown) => typeof id === 'string' && /^0x0{40,}/.test(id);
    expect(trades.some((t) => t.makers.some((m) => ours(m[0])))).toBe(true);
  });
});
