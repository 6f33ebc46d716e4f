import { OrderType, Side } from '@polymarket/clob-client-v2';
import { afterAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../sim/simulator.ts';
import { simTrader } from './support.ts';

let sim: Simulator | undefined;
afterAll(async () => {
  await sim?.stop();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface TruthTrade { id: string; status: string; takerOwner: string; makers: { owner: string; kind: string; orderId: string }[] }

describe('simulated market flow on the chain', () => {
  it('fills our resting order, matches across the complement, and settles every trade on anvil', async () => {
    sim = await Simulator.start({
      config: {
        seed: 11,
        flow: { tickMs: 150, takerRatePerSecond: 4, takerSizeMean: 12, complementRate: 0.5, volatility: 0.002 },
        lifecycle: { minedDelayMs: 200, confirmedDelayMs: 100, retryDelayMs: 100, failRate: 0, retryRate: 0 },
      },
    });
    const s = sim;
    const alice = await simTrader(s, 0);
    const m = s.info.markets[0]!;
    const [yes] = m.tokens;
    await sleep(300);
    const book = await alice.client.getOrderBook(yes);
    const bestBid = Math.max(...book.bids.map((l: { price: string }) => Number(l.price)));
    const ours = await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: bestBid, size: 10, side: Side.BUY }), OrderType.GTC);
    expect(ours.success).toBe(true);

    let truth: TruthTrade[] = [];
    const deadline = Date.now() + 12_000;
    for (;;) {
      truth = (await (await fetch(`${s.info.controlUrl}/trades`)).json()) as TruthTrade[];
      const filled = truth.some((t) => t.makers.some((f) => f.orderId === ours.orderID));
      const kinds = new Set(truth.flatMap((t) => t.makers.map((f) => f.kind)));
      if ((filled && kinds.has('mint') && kinds.has('merge')) || Date.now() > deadline) break;
      await sleep(300);
    }
    expect(truth.some((t) => t.makers.some((f) => f.orderId === ours.orderID))).toBe(true);
    expect(new Set(truth.flatMap((t) => t.makers.map((f) => f.kind)))).toEqual(new Set(['transfer', 'mint', 'merge']));

    // Stop the flow, let settlement catch up: every trade mined (none failed), chain = exchange's view.
    s.stopFlow();
    await sleep(1500);
    truth = (await (await fetch(`${s.info.controlUrl}/trades`)).json()) as TruthTrade[];
    expect(truth.filter((t) => t.status !== 'CONFIRMED' && t.status !== 'MINED')).toEqual([]);
    for (const { address: acct } of s.chain!.accounts) {
      for (const token of m.tokens) expect(await s.chain!.balanceOf(acct, token)).toBe(s.engine.balances.get(acct, token));
      expect(await s.chain!.collateralOf(acct)).toBe(s.engine.balances.get(acct, 'collateral'));
    }
  }, 30_000);
});
