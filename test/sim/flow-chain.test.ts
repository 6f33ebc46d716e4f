import { OrderType, Side } from '@polymarket/clob-client-v2';
import { afterAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../sim/simulator.ts';
import { simTrader } from './support.ts';
import { waitUntil } from '../support/wait.ts';

let sim: Simulator | undefined;
afterAll(async () => {
  await sim?.stop();
});

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
    // The simulated makers quote a bid before we join it.
    const book = await waitUntil('a bid on the book', async () => {
      const b = await alice.client.getOrderBook(yes);
      return b.bids.length > 0 ? b : undefined;
    });
    const bestBid = Math.max(...book.bids.map((l: { price: string }) => Number(l.price)));
    const ours = await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: bestBid, size: 10, side: Side.BUY }), OrderType.GTC);
    expect(ours.success).toBe(true);

    const trades = async () => (await (await fetch(`${s.info.controlUrl}/trades`)).json()) as TruthTrade[];
    let truth: TruthTrade[] = [];
    await waitUntil('our order filled and trades of every kind (transfer, mint, merge)', async () => {
      truth = await trades();
      const filled = truth.some((t) => t.makers.some((f) => f.orderId === ours.orderID));
      const kinds = new Set(truth.flatMap((t) => t.makers.map((f) => f.kind)));
      return filled && kinds.has('mint') && kinds.has('merge');
    }, { timeoutMs: 30_000, everyMs: 200 }).catch(() => undefined); // the expectations below say what was missing
    expect(truth.some((t) => t.makers.some((f) => f.orderId === ours.orderID))).toBe(true);
    expect(new Set(truth.flatMap((t) => t.makers.map((f) => f.kind)))).toEqual(new Set(['transfer', 'mint', 'merge']));

    // Stop the flow, let settlement catch up: every trade mined (none failed), chain = exchange's view.
    s.stopFlow();
    const unsettled = (ts: TruthTrade[]) => ts.filter((t) => t.status !== 'CONFIRMED' && t.status !== 'MINED');
    await waitUntil('every trade mined or confirmed', async () => {
      truth = await trades();
      return unsettled(truth).length === 0;
    }, { timeoutMs: 30_000, everyMs: 100 }).catch(() => undefined); // the expectation below lists what is still unsettled
    expect(unsettled(truth)).toEqual([]);
    for (const { address: acct } of s.chain!.accounts) {
      for (const token of m.tokens) expect(await s.chain!.balanceOf(acct, token)).toBe(s.engine.balances.get(acct, token));
      expect(await s.chain!.collateralOf(acct)).toBe(s.engine.balances.get(acct, 'collateral'));
    }
  }, 90_000);
});
