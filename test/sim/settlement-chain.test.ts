import { OrderType, Side } from '@polymarket/clob-client-v2';
import { createPublicClient, http, parseAbi, type Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../sim/simulator.ts';
import { simTrader, wsProbe, type Trader, type WsProbe } from './support.ts';

const CTF: Address = '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045';
const abi = parseAbi(['function balanceOf(address owner, uint256 id) view returns (uint256)']);

let sim: Simulator;
let alice: Trader;
let bob: Trader;
let feed: WsProbe;
const balance = (owner: string, token: string) =>
  createPublicClient({ transport: http(sim.info.rpcUrl, { retryCount: 0 }), cacheTime: 0 }).readContract({ address: CTF, abi, functionName: 'balanceOf', args: [owner as Address, BigInt(token)] });

beforeAll(async () => {
  sim = await Simulator.start({ config: { flow: { enabled: false }, lifecycle: { minedDelayMs: 1200, confirmedDelayMs: 200, retryDelayMs: 100, failRate: 0, retryRate: 0 } } });
  alice = await simTrader(sim, 0);
  bob = await simTrader(sim, 1);
  feed = await wsProbe(sim.info.userWsUrl);
  feed.send({ auth: { apiKey: alice.creds.key, secret: alice.creds.secret, passphrase: alice.creds.passphrase }, type: 'user' });
  feed.send('PING');
  await feed.waitText('PONG');
}, 60_000);
afterAll(async () => {
  feed?.close();
  await sim?.stop();
});

describe('settlement on the simulated chain', () => {
  it('moves the funder’s ERC-1155 balance on anvil only at MINED', async () => {
    const [yes] = sim.info.markets[0]!.tokens;
    const before = await balance(alice.address, yes);
    await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: 0.5, size: 10, side: Side.BUY }), OrderType.GTC);
    // deferExec: the client returns at once instead of waiting for the settlement hash.
    const hit = await bob.client.postOrder(await bob.client.createOrder({ tokenID: yes, price: 0.5, size: 10, side: Side.SELL }), OrderType.GTC, false, true);
    const tradeId = hit.tradeIDs![0]!;
    await feed.waitFor((e) => e.event_type === 'trade' && e.id === tradeId && e.status === 'MATCHED');
    expect(await balance(alice.address, yes)).toBe(before);
    await feed.waitFor((e) => e.event_type === 'trade' && e.id === tradeId && e.status === 'MINED', 10_000);
    expect(await balance(alice.address, yes)).toBe(before + 10_000_000n);
    const mined = feed.events.find((e) => e.id === tradeId && e.status === 'MINED')!;
    const receipt = await createPublicClient({ transport: http(sim.info.rpcUrl) }).getTransactionReceipt({ hash: mined.transaction_hash as `0x${string}` });
    expect(receipt.status).toBe('success');
    await feed.waitFor((e) => e.event_type === 'trade' && e.id === tradeId && e.status === 'CONFIRMED', 5000);
  });

  it('never moves balances for a FAILED trade', async () => {
    const [yes] = sim.info.markets[0]!.tokens;
    const res = await fetch(`${sim.info.controlUrl}/faults`, { method: 'POST', body: JSON.stringify({ failRate: 1 }) });
    expect(res.status).toBe(200);
    const before = await balance(alice.address, yes);
    await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: 0.5, size: 7, side: Side.BUY }), OrderType.GTC);
    const hit = await bob.client.postOrder(await bob.client.createOrder({ tokenID: yes, price: 0.5, size: 7, side: Side.SELL }), OrderType.GTC, false, true);
    const tradeId = hit.tradeIDs![0]!;
    const failed = await feed.waitFor((e) => e.event_type === 'trade' && e.id === tradeId && e.status === 'FAILED', 10_000);
    expect(failed.transaction_hash).toBe('');
    await new Promise((r) => setTimeout(r, 500));
    expect(await balance(alice.address, yes)).toBe(before);
    const truth = (await (await fetch(`${sim.info.controlUrl}/trades`)).json()) as { id: string; status: string }[];
    expect(truth.find((t) => t.id === tradeId)).toMatchObject({ status: 'FAILED' });
    expect(truth.filter((t) => t.status === 'CONFIRMED')).toHaveLength(1);
  });
});
