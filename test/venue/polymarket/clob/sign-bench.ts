/**
 * Orders signed per second: our OrderSigner vs the official client's OrderBuilder (same orders,
 * same key, signature type 1). Not a test; run with `npx tsx test/venue/polymarket/clob/sign-bench.ts [n]`.
 */
import { OrderBuilder } from '@polymarket/clob-client-v2';
import { OrderSigner } from '../../../../plugins/venue/polymarket/clob/signing.ts';
import { FUNDER, KEY, oracleWallet } from './oracle.ts';

const TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const n = Number(process.argv[2] ?? 2000);
const ours = new OrderSigner({ privateKey: KEY, signatureType: 1, funder: FUNDER });
const theirs = new OrderBuilder(oracleWallet() as never, 137, 1 as never, FUNDER);

/** Orders per CPU-second (process CPU time, less sensitive than wall time to a loaded machine). */
async function rate(f: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await f(i);
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await f(i);
  const c = process.cpuUsage(c0);
  return n / ((c.user + c.system) / 1e6);
}

for (let round = 0; round < 3; round++) {
  const a = await rate((i) => ours.sign({ tokenId: TOKEN, side: i % 2 ? 'SELL' : 'BUY', price: 450_000n, size: 10_000_000n + BigInt(i) * 10_000n, tickSize: 10_000n, negRisk: false }));
  const b = await rate((i) => theirs.buildOrder({ tokenID: TOKEN, side: (i % 2 ? 'SELL' : 'BUY') as never, price: 0.45, size: 10 + i / 100 } as never, { tickSize: '0.01', negRisk: false }, 2));
  console.log(`round ${round}: ours ${a.toFixed(0)} orders/CPU-s, official ${b.toFixed(0)} orders/CPU-s, ×${(a / b).toFixed(2)}`);
}
