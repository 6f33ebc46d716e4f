import { ClobClient, OrderType, Side } from '@polymarket/clob-client-v2';
import { createWalletClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { polygon } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../sim/simulator.ts';

let sim: Simulator;
beforeAll(async () => {
  sim = await Simulator.start({
    settlement: 'memory',
    config: { flow: { enabled: false }, lifecycle: { minedDelayMs: 30, confirmedDelayMs: 30, retryDelayMs: 30, failRate: 0, retryRate: 0 } },
  });
});
afterAll(async () => {
  await sim?.stop();
});

function wallet(i: number) {
  const account = privateKeyToAccount(sim.info.accounts[i]!.privateKey);
  // The wallet only signs locally; its transport is never used.
  return createWalletClient({ account, chain: polygon, transport: http('http://127.0.0.1:9') });
}

async function trader(i: number): Promise<ClobClient> {
  const signer = wallet(i);
  const creds = await new ClobClient({ host: sim.info.clobUrl, chain: 137, signer }).createOrDeriveApiKey();
  return new ClobClient({ host: sim.info.clobUrl, chain: 137, signer, creds });
}

describe('the official @polymarket/clob-client-v2 against the simulator', () => {
  it('derives the same API key again for the same address and nonce', async () => {
    const signer = wallet(2);
    const c = new ClobClient({ host: sim.info.clobUrl, chain: 137, signer });
    const created = await c.createApiKey(7);
    const derived = await c.deriveApiKey(7);
    expect(created.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(derived).toEqual(created);
    const other = await c.createApiKey(8);
    expect(other.key).not.toBe(created.key);
  });

  it('posts signed orders, lists them, trades, sends heartbeats and cancels', async () => {
    const [yes] = sim.info.markets[0]!.tokens;
    const alice = await trader(0);
    const bob = await trader(1);

    const bid = await alice.createOrder({ tokenID: yes, price: 0.45, size: 20, side: Side.BUY });
    const placed = await alice.postOrder(bid, OrderType.GTC);
    expect(placed).toMatchObject({ success: true, status: 'live', errorMsg: '' });
    expect(placed.orderID).toMatch(/^0x[0-9a-f]{64}$/);

    const open = await alice.getOpenOrders({ market: sim.info.markets[0]!.conditionId });
    expect(open.map((o) => o.id)).toEqual([placed.orderID]);
    expect(open[0]).toMatchObject({ status: 'LIVE', side: 'BUY', price: '0.45', original_size: '20', size_matched: '0', asset_id: yes });
    expect(await alice.getOrder(placed.orderID)).toMatchObject({ id: placed.orderID, status: 'LIVE' });

    const hb1 = await alice.postHeartbeat();
    expect(hb1.heartbeat_id).toMatch(/[0-9a-f-]{36}/);
    const hb2 = await alice.postHeartbeat(hb1.heartbeat_id);
    expect(hb2.heartbeat_id).not.toBe(hb1.heartbeat_id);

    // Bob sells into Alice's bid: a partial fill of her order, Bob is the taker.
    const ask = await bob.createOrder({ tokenID: yes, price: 0.45, size: 8, side: Side.SELL });
    const hit = await bob.postOrder(ask, OrderType.GTC);
    expect(hit).toMatchObject({ success: true, status: 'matched', makingAmount: '8', takingAmount: '3.6' });
    // The client waited for the settlement hash, so the trade is mined already.
    expect(hit.transactionsHashes?.[0]).toMatch(/^0x[0-9a-f]{64}$/);

    const aliceTrades = await alice.getTrades();
    expect(aliceTrades).toHaveLength(1);
    expect(aliceTrades[0]).toMatchObject({ trader_side: 'MAKER', side: 'SELL', size: '8', price: '0.45', asset_id: yes });
    expect(aliceTrades[0]!.maker_orders[0]).toMatchObject({ order_id: placed.orderID, matched_amount: '8', price: '0.45' });
    const bobTrades = await bob.getTrades({ id: hit.tradeIDs![0]! });
    expect(bobTrades[0]).toMatchObject({ trader_side: 'TAKER', taker_order_id: hit.orderID });
    expect(['MINED', 'CONFIRMED']).toContain(bobTrades[0]!.status);
    expect((await alice.getOpenOrders())[0]).toMatchObject({ size_matched: '8' });

    expect(await alice.cancelOrder({ orderID: placed.orderID })).toEqual({ canceled: [placed.orderID], not_canceled: {} });
    expect(await alice.cancelOrder({ orderID: placed.orderID })).toEqual({ canceled: [], not_canceled: { [placed.orderID]: 'already canceled or matched' } });

    const more = await alice.postOrders([
      { order: await alice.createOrder({ tokenID: yes, price: 0.3, size: 10, side: Side.BUY }), orderType: OrderType.GTC },
      { order: await alice.createOrder({ tokenID: yes, price: 0.31, size: 10, side: Side.BUY }), orderType: OrderType.GTC },
    ]);
    expect(more.map((r: { success: boolean }) => r.success)).toEqual([true, true]);
    const all = await alice.cancelAll();
    expect([...all.canceled].sort()).toEqual(more.map((r: { orderID: string }) => r.orderID).sort());
    expect(await alice.getOpenOrders()).toEqual([]);
  });

  it('cancels by id list and by market, and reports balances and allowances', async () => {
    const m = sim.info.markets[1]!;
    const [yes, no] = m.tokens;
    const alice = await trader(0);
    const a = await alice.postOrder(await alice.createOrder({ tokenID: yes, price: 0.1, size: 10, side: Side.BUY }), OrderType.GTC);
    const b = await alice.postOrder(await alice.createOrder({ tokenID: no, price: 0.1, size: 10, side: Side.BUY }), OrderType.GTC);
    const c = await alice.postOrder(await alice.createOrder({ tokenID: no, price: 0.11, size: 10, side: Side.BUY }), OrderType.GTC);
    expect(await alice.cancelOrders([a.orderID, '0xdead'])).toEqual({ canceled: [a.orderID], not_canceled: { '0xdead': 'order not found' } });
    const byMarket = await alice.cancelMarketOrders({ market: m.conditionId, asset_id: no });
    expect([...byMarket.canceled].sort()).toEqual([b.orderID, c.orderID].sort());
    const cash = await alice.getBalanceAllowance({ asset_type: 'COLLATERAL' as never });
    expect(cash.balance).toBe(String(sim.engine.balances.get(sim.info.accounts[0]!.address, 'collateral')));
    expect(Object.values(cash.allowances ?? {})).toContain((2n ** 256n - 1n).toString());
    const shares = await alice.getBalanceAllowance({ asset_type: 'CONDITIONAL' as never, token_id: yes });
    expect(shares.balance).toBe('1000000000');
    const info = await alice.getClobMarketInfo(m.conditionId);
    expect(info).toMatchObject({ nr: true, mts: 0.01, mos: 5, rewards: { max_spread: 3, min_size: 20 } });
  });

  it('rejects a post-only order that would cross', async () => {
    const [, no] = sim.info.markets[0]!.tokens;
    const alice = await trader(0);
    const bob = await trader(1);
    await alice.postOrder(await alice.createOrder({ tokenID: no, price: 0.6, size: 10, side: Side.SELL }), OrderType.GTC);
    const cross = await bob.postOrder(await bob.createOrder({ tokenID: no, price: 0.6, size: 10, side: Side.BUY }), OrderType.GTC, true);
    expect(cross).toMatchObject({ success: false, errorMsg: 'INVALID_POST_ONLY_ORDER' });
    await alice.cancelAll();
  });
});
