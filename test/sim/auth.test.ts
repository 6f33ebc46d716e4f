import { OrderType, Side, SignatureTypeV2, orderToJsonV2 } from '@polymarket/clob-client-v2';
type SignedOrderV2 = Parameters<typeof orderToJsonV2>[0];
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { l2Signature } from '../../sim/auth/hmac.ts';
import { Simulator } from '../../sim/simulator.ts';
import { l2Fetch, simTrader, type Trader } from './support.ts';

let sim: Simulator;
let alice: Trader;
beforeAll(async () => {
  sim = await Simulator.start({ settlement: 'memory', config: { flow: { enabled: false }, lifecycle: { failRate: 0, retryRate: 0 } } });
  alice = await simTrader(sim, 0);
});
afterAll(async () => {
  await sim?.stop();
});

async function signedBody(t: Trader, over: { price?: number; size?: number; side?: Side } = {}) {
  const [yes] = sim.info.markets[0]!.tokens;
  const order = await t.client.createOrder({ tokenID: yes, price: over.price ?? 0.2, size: over.size ?? 10, side: over.side ?? Side.BUY });
  return orderToJsonV2(order as SignedOrderV2, t.creds.key, OrderType.GTC) as unknown as { order: Record<string, unknown> } & Record<string, unknown>;
}

describe('simulator authentication', () => {
  it('computes the documented L2 HMAC test vector', () => {
    expect(l2Signature('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', '1000000', 'test-sign', '/orders', '{"hash": "0x123"}')).toBe('ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=');
  });

  it('answers 401 to a bad HMAC, a stale timestamp, a wrong passphrase and an unknown key', async () => {
    expect((await l2Fetch(sim, alice, 'GET', '/data/orders')).status).toBe(200);
    const bad = await l2Fetch(sim, alice, 'GET', '/data/orders', undefined, (h) => void (h.POLY_SIGNATURE = `${h.POLY_SIGNATURE!.slice(0, -4)}AAA=`));
    expect(bad).toMatchObject({ status: 401, body: { error: expect.stringContaining('Unauthorized') } });
    const stale = await l2Fetch(sim, alice, 'GET', '/data/orders', undefined, (h) => void (h.POLY_TIMESTAMP = String(Math.floor(Date.now() / 1000) - 600)));
    expect(stale.status).toBe(401);
    expect((await l2Fetch(sim, alice, 'GET', '/data/orders', undefined, (h) => void (h.POLY_PASSPHRASE = 'nope'))).status).toBe(401);
    expect((await l2Fetch(sim, alice, 'GET', '/data/orders', undefined, (h) => void (h.POLY_API_KEY = '00000000-0000-4000-8000-000000000000'))).status).toBe(401);
    // The body is part of the signature: a different body under the same headers fails.
    const body = await signedBody(alice);
    const swapped = await l2Fetch(sim, alice, 'POST', '/order', body, undefined, JSON.stringify({ ...body, postOnly: true }));
    expect(swapped.status).toBe(401);
    expect((await l2Fetch(sim, alice, 'POST', '/order', body)).status).toBe(200);
  });

  it('refuses an L1 key request whose signature is not by POLY_ADDRESS', async () => {
    const res = await fetch(`${sim.info.clobUrl}/auth/api-key`, {
      method: 'POST',
      headers: { POLY_ADDRESS: sim.info.accounts[1]!.address, POLY_SIGNATURE: `0x${'11'.repeat(65)}`, POLY_TIMESTAMP: String(Math.floor(Date.now() / 1000)), POLY_NONCE: '0' },
    });
    expect(res.status).toBe(401);
  });

  it('rejects a tampered order signature and an order signed by someone else', async () => {
    const body = await signedBody(alice);
    const tampered = { ...body, order: { ...body.order, makerAmount: String(BigInt(body.order.makerAmount as string) + 10_000n) } };
    const r1 = await l2Fetch(sim, alice, 'POST', '/order', tampered);
    expect(r1).toMatchObject({ status: 400, body: { success: false, errorMsg: 'INVALID_SIGNATURE', error: expect.stringContaining('invalid signature') } });
    const bob = await simTrader(sim, 1);
    const bobs = await signedBody(bob);
    const r2 = await l2Fetch(sim, alice, 'POST', '/order', { ...bobs, owner: alice.creds.key });
    expect(r2).toMatchObject({ status: 400, body: { success: false, errorMsg: 'INVALID_SIGNATURE' } });
    const r3 = await l2Fetch(sim, alice, 'POST', '/order', bobs);
    expect(r3).toMatchObject({ status: 400, body: { error: 'the order owner has to be the owner of the API KEY' } });
  });

  it('tells a V1-shaped order order_version_mismatch', async () => {
    const body = await signedBody(alice);
    const { timestamp: _t, metadata: _m, builder: _b, ...rest } = body.order;
    const v1 = { ...body, order: { ...rest, nonce: '0', feeRateBps: '0', taker: '0x0000000000000000000000000000000000000000' } };
    const r = await l2Fetch(sim, alice, 'POST', '/order', v1);
    expect(r).toMatchObject({ status: 400, body: { error: expect.stringContaining('order_version_mismatch') } });
  });

  it('accepts a proxy-wallet order (type 1: signer ≠ maker) and a deposit-wallet order (type 3), checking the inner signature', async () => {
    const funder = sim.info.accounts[2]!.address;
    const proxy = await simTrader(sim, 0, { signatureType: SignatureTypeV2.POLY_PROXY, funderAddress: funder });
    const [yes] = sim.info.markets[0]!.tokens;
    const o1 = await proxy.client.createOrder({ tokenID: yes, price: 0.21, size: 10, side: Side.BUY });
    expect(o1.maker.toLowerCase()).not.toBe(o1.signer.toLowerCase());
    const r1 = await proxy.client.postOrder(o1, OrderType.GTC);
    expect(r1).toMatchObject({ success: true, status: 'live' });
    expect(sim.engine.order(r1.orderID)!.maker).toBe(funder.toLowerCase());

    const wallet = await simTrader(sim, 0, { signatureType: SignatureTypeV2.POLY_1271, funderAddress: funder });
    const o3 = await wallet.client.createOrder({ tokenID: yes, price: 0.22, size: 10, side: Side.BUY });
    const r3 = await wallet.client.postOrder(o3, OrderType.GTC);
    expect(r3).toMatchObject({ success: true, status: 'live' });
    // Tamper with the inner signature of the wrapper: rejected.
    const body = orderToJsonV2((await wallet.client.createOrder({ tokenID: yes, price: 0.23, size: 10, side: Side.BUY })) as SignedOrderV2, wallet.creds.key, OrderType.GTC) as unknown as { order: { signature: string } };
    const sig = body.order.signature;
    body.order.signature = `0x${sig.slice(2, 10)}${sig[10] === 'a' ? 'b' : 'a'}${sig.slice(11)}`;
    const bad = await l2Fetch(sim, wallet, 'POST', '/order', body);
    expect(bad).toMatchObject({ status: 400, body: { errorMsg: 'INVALID_SIGNATURE' } });
    await proxy.client.cancelAll();
  });
});
