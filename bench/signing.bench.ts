/**
 * Signing: V2 orders signed per second by plugins/venue/polymarket/clob/signing.ts (OrderSigner)
 * beside @polymarket/clob-client-v2's OrderBuilder.buildOrder (the official client, viem local
 * account) in the same run, on the same orders (target ≥ 5× theirs). CPU only: no I/O.
 */
import { OrderBuilder, type SignatureTypeV2 } from '@polymarket/clob-client-v2';
import { createWalletClient, http, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { polygon } from 'viem/chains';
import { OrderSigner, type SignatureType } from '../plugins/venue/polymarket/clob/signing.ts';
import { medianOfRuns, pause, type BenchResult } from './lib.ts';

// A well-known test key (no funds anywhere): the official client's builder needs a wallet.
const KEY: Hex = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const FUNDER: Address = '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF';
const TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';

interface Order { side: 'BUY' | 'SELL'; priceCents: number; sizeShares: number; negRisk: boolean }
const ORDERS: Order[] = Array.from({ length: 64 }, (_, i) => ({ side: i % 2 ? 'SELL' : 'BUY', priceCents: 5 + (i * 7) % 90, sizeShares: 5 + (i * 13) % 200, negRisk: i % 4 === 3 }));

/** Seconds to sign orders [from, from + n) of the cycle with our signer. */
async function ours(signer: OrderSigner, from: number, n: number): Promise<number> {
  const t = process.hrtime.bigint();
  for (let i = from; i < from + n; i++) {
    const o = ORDERS[i % ORDERS.length]!;
    await signer.sign({ tokenId: TOKEN, side: o.side, price: BigInt(o.priceCents) * 10_000n, size: BigInt(o.sizeShares) * 1_000_000n, tickSize: 10_000n, negRisk: o.negRisk });
  }
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Seconds to build and sign the same orders with the official client. */
async function theirs(builder: OrderBuilder, from: number, n: number): Promise<number> {
  const t = process.hrtime.bigint();
  for (let i = from; i < from + n; i++) {
    const o = ORDERS[i % ORDERS.length]!;
    await builder.buildOrder({ tokenID: TOKEN, price: o.priceCents / 100, size: o.sizeShares, side: o.side } as never, { tickSize: '0.01', negRisk: o.negRisk }, 2);
  }
  return Number(process.hrtime.bigint() - t) / 1e9;
}

// One run: 2000 of ours and 200 of theirs, interleaved in 10 slices so that load from other processes
// on a shared machine falls on both sides alike.
const SLICES = 10;
const OURS_PER_SLICE = 200;
const THEIRS_PER_SLICE = 20;

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const sigType of [0, 2] as const) {
    const signer = new OrderSigner({ privateKey: KEY, signatureType: sigType as SignatureType, ...(sigType ? { funder: FUNDER } : {}) });
    const wallet = createWalletClient({ account: privateKeyToAccount(KEY), chain: polygon, transport: http('http://127.0.0.1:9') });
    const builder = new OrderBuilder(wallet as never, 137, sigType as SignatureTypeV2, sigType ? FUNDER : undefined);
    const label = sigType === 0 ? 'EOA (type 0)' : 'Safe (type 2)';
    out.push(...await medianOfRuns(5, async () => {
      let tOurs = 0;
      let tTheirs = 0;
      for (let k = 0; k < SLICES; k++) {
        tOurs += await ours(signer, k * OURS_PER_SLICE, OURS_PER_SLICE);
        tTheirs += await theirs(builder, k * THEIRS_PER_SLICE, THEIRS_PER_SLICE);
      }
      await pause();
      return { ours: (SLICES * OURS_PER_SLICE) / tOurs, theirs: (SLICES * THEIRS_PER_SLICE) / tTheirs };
    }, [
      { key: 'ours', name: `orders signed per second, polyquote OrderSigner, ${label}`, unit: 'orders/s', baselineKey: 'theirs', better: 'higher', note: 'ratio to clob-client-v2 OrderBuilder.buildOrder in the same run (target ≥ 5)' },
      { key: 'theirs', name: `orders signed per second, clob-client-v2 buildOrder, ${label}`, unit: 'orders/s', note: '@polymarket/clob-client-v2 1.1.0 with a viem local account (baseline)' },
    ], 1));
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(JSON.stringify(r));
}
