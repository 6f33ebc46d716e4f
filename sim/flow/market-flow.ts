/**
 * The other market participants: per market, simulated makers keep a ladder around a fair price
 * that walks (seeded), on either token (so complement matches happen), and takers cross the spread
 * at a configurable rate with FAK orders. They trade through the engine like anyone else, so their
 * fills settle on the chain and our resting orders get hit by them.
 */
import { keccak256, toHex } from 'viem';
import { MICROS_PER_UNIT, parseMicros } from '../../core/amounts.ts';
import type { SimConfig } from '../config.ts';
import type { ExchangeEngine } from '../exchange/engine.ts';
import type { OrderInput, SimMarket } from '../exchange/types.ts';
import { Prng } from '../prng.ts';
import { ladder, snap, stepFair, takerSize } from './walk.ts';

interface Participant {
  readonly address: string;
  readonly owner: string;
}

export class MarketFlow {
  private readonly walk: Prng;
  private readonly makerRng: Prng;
  private readonly takerRng: Prng;
  private readonly fair = new Map<string, number>();
  private readonly quoted = new Map<string, string>();
  private readonly makers: Participant[];
  private readonly takers: Participant[];
  private timer: NodeJS.Timeout | undefined;
  private n = 0;

  constructor(private readonly engine: ExchangeEngine, private readonly config: SimConfig, accounts: readonly { address: string }[], private readonly now: () => number = Date.now) {
    const seed = config.seed;
    this.walk = Prng.for(seed, 'flow/walk');
    this.makerRng = Prng.for(seed, 'flow/makers');
    this.takerRng = Prng.for(seed, 'flow/takers');
    const ids = Prng.for(seed, 'flow/owners');
    const all = accounts.map((a) => ({ address: a.address.toLowerCase(), owner: ids.uuid() }));
    const nMakers = Math.min(config.flow.makers, Math.max(1, all.length - 1));
    this.makers = all.slice(0, nMakers);
    this.takers = all.slice(nMakers).length > 0 ? all.slice(nMakers) : all.slice(0, 1);
    engine.markets().forEach((m, i) => this.fair.set(m.conditionId, config.markets[i]?.fairPrice ?? 0.5));
  }

  /** API keys the simulated participants trade under (to tell their trades from ours). */
  owners(): string[] {
    return [...this.makers, ...this.takers].map((p) => p.owner);
  }

  start(): void {
    this.step(this.now());
    this.timer = setInterval(() => this.step(this.now()), this.config.flow.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One tick: walk, re-quote where the ladder moved, then the takers of this tick. */
  step(nowMs: number): void {
    for (const m of this.engine.markets()) {
      const fair = stepFair(this.fair.get(m.conditionId)!, this.config.flow.volatility, this.walk);
      this.fair.set(m.conditionId, fair);
      this.requote(m, fair, nowMs);
      const expected = (this.config.flow.takerRatePerSecond * this.config.flow.tickMs) / 1000;
      let k = Math.floor(expected);
      if (this.takerRng.chance(expected - k)) k++;
      for (let i = 0; i < k; i++) this.take(m, fair, nowMs);
    }
  }

  private requote(m: SimMarket, fair: number, nowMs: number): void {
    const f = this.config.flow;
    const base = parseMicros(f.levelSize, 'sim config flow.levelSize');
    for (const [i, mk] of this.makers.entries()) {
      const key = `${m.conditionId}|${mk.owner}`;
      const spread = f.halfSpreadTicks + (i % 2);
      const quotes = ladder(fair, m.tickSize, f.levels, spread, base);
      const sig = quotes.map((q) => `${q.bid}${q.yesPrice}`).join(',');
      const live = this.engine.openOrders().filter((o) => o.owner === mk.owner && o.conditionId === m.conditionId);
      if (this.quoted.get(key) === sig && live.length === quotes.length) continue;
      for (const o of live) this.engine.cancel(mk.owner, o.id, nowMs);
      this.quoted.set(key, sig);
      for (const q of quotes) {
        const onNo = this.makerRng.chance(f.complementRate);
        const size = base + BigInt(this.makerRng.int(5)) * MICROS_PER_UNIT * 5n;
        const tokenId = onNo ? m.tokens[1] : m.tokens[0];
        const side = q.bid !== onNo ? 'BUY' : 'SELL';
        const price = onNo ? MICROS_PER_UNIT - q.yesPrice : q.yesPrice;
        this.engine.submit(this.order(mk, tokenId, side, price, size, 'GTC', true), nowMs);
      }
    }
  }

  private take(m: SimMarket, fair: number, nowMs: number): void {
    const f = this.config.flow;
    const who = this.takers[this.takerRng.int(this.takers.length)]!;
    const buyYes = this.takerRng.chance(0.5);
    const onNo = this.takerRng.chance(f.complementRate);
    const reach = ((f.halfSpreadTicks + f.levels - 1) * Number(m.tickSize)) / Number(MICROS_PER_UNIT);
    // In YES terms the taker lifts asks (buying YES) or hits bids; on NO it does the mirror.
    const yesLimit = snap(buyYes ? fair + reach : fair - reach, m.tickSize);
    const tokenId = onNo ? m.tokens[1] : m.tokens[0];
    const side = buyYes !== onNo ? 'BUY' : 'SELL';
    const price = onNo ? MICROS_PER_UNIT - yesLimit : yesLimit;
    this.engine.submit(this.order(who, tokenId, side, price, takerSize(f.takerSizeMean, this.takerRng), 'FAK', false), nowMs);
  }

  private order(p: Participant, tokenId: string, side: 'BUY' | 'SELL', price: bigint, size: bigint, orderType: 'GTC' | 'FAK', postOnly: boolean): OrderInput {
    const id = keccak256(toHex(`flow/${this.config.seed}/${++this.n}`));
    return { id, owner: p.owner, maker: p.address, signer: p.address, tokenId, side, price, size, orderType, postOnly, expiration: 0 };
  }
}
