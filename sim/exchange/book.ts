/**
 * One market's order book, kept in YES-price terms so that the complement token is its mirror:
 * BUY YES p is a bid at p, SELL YES p an ask at p, BUY NO q an ask at 1−q, SELL NO q a bid at 1−q.
 * A bid meets an ask when bid ≥ ask; the pair's tokens and sides tell the match kind (same token:
 * transfer; two buys: mint; two sells: merge). Priority: best price, then arrival sequence.
 */
import { MICROS_PER_UNIT, type Micros } from '../../core/amounts.ts';
import type { BookOrder, Level, LevelChange, MatchKind, Side, TokenBook } from './types.ts';

export interface BookEntry {
  readonly order: BookOrder;
  /** Price in YES terms. */
  readonly yesPrice: Micros;
  /** True when the entry is a bid in YES terms. */
  readonly bid: boolean;
}

/** Where an order sits in the unified book. */
export function normalize(order: { side: Side; price: Micros; tokenId: string }, yesToken: string): { bid: boolean; yesPrice: Micros } {
  const isYes = order.tokenId === yesToken;
  const buy = order.side === 'BUY';
  return { bid: isYes === buy, yesPrice: isYes ? order.price : MICROS_PER_UNIT - order.price };
}

/** The match kind of a taker/maker pair. */
export function matchKind(taker: { tokenId: string; side: Side }, maker: { tokenId: string; side: Side }): MatchKind {
  if (taker.tokenId === maker.tokenId) return 'transfer';
  return taker.side === 'BUY' ? 'mint' : 'merge';
}

export const remaining = (o: BookOrder): Micros => o.size - o.matched;

export class MarketBook {
  /** Best (highest) first; equal prices by seq. */
  private readonly bids: BookEntry[] = [];
  /** Best (lowest) first; equal prices by seq. */
  private readonly asks: BookEntry[] = [];

  constructor(readonly yesToken: string, readonly noToken: string) {}

  add(order: BookOrder): void {
    const { bid, yesPrice } = normalize(order, this.yesToken);
    const list = bid ? this.bids : this.asks;
    const entry: BookEntry = { order, yesPrice, bid };
    let i = list.length;
    while (i > 0 && this.before(entry, list[i - 1]!)) i--;
    list.splice(i, 0, entry);
  }

  remove(orderId: string): boolean {
    for (const list of [this.bids, this.asks]) {
      const i = list.findIndex((e) => e.order.id === orderId);
      if (i >= 0) {
        list.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** Resting entries an incoming order at (bid, yesPrice) would meet, best first. */
  crossing(bid: boolean, yesPrice: Micros): BookEntry[] {
    const out: BookEntry[] = [];
    for (const e of bid ? this.asks : this.bids) {
      if (bid ? e.yesPrice > yesPrice : e.yesPrice < yesPrice) break;
      out.push(e);
    }
    return out;
  }

  orders(): BookOrder[] {
    return [...this.bids, ...this.asks].map((e) => e.order);
  }

  /** Aggregated levels of one token in its own price terms, best first. */
  tokenBook(tokenId: string): TokenBook {
    const yesBids = aggregate(this.bids);
    const yesAsks = aggregate(this.asks);
    if (tokenId === this.yesToken) return { tokenId, bids: yesBids, asks: yesAsks };
    const flip = (l: Level): Level => ({ price: MICROS_PER_UNIT - l.price, size: l.size });
    return { tokenId, bids: yesAsks.map(flip), asks: yesBids.map(flip) };
  }

  /** Both tokens' levels as a map "token|side|price" → size, for diffing. */
  levelMap(): Map<string, LevelChange> {
    const m = new Map<string, LevelChange>();
    for (const tokenId of [this.yesToken, this.noToken]) {
      const b = this.tokenBook(tokenId);
      for (const [side, levels] of [['BUY', b.bids], ['SELL', b.asks]] as const) {
        for (const l of levels) m.set(`${tokenId}|${side}|${l.price}`, { tokenId, side, price: l.price, size: l.size });
      }
    }
    return m;
  }

  private before(a: BookEntry, b: BookEntry): boolean {
    if (a.yesPrice !== b.yesPrice) return a.bid ? a.yesPrice > b.yesPrice : a.yesPrice < b.yesPrice;
    return a.order.seq < b.order.seq;
  }
}

function aggregate(list: readonly BookEntry[]): Level[] {
  const out: Level[] = [];
  for (const e of list) {
    const size = remaining(e.order);
    if (size <= 0n) continue;
    const last = out[out.length - 1];
    if (last && last.price === e.yesPrice) out[out.length - 1] = { price: last.price, size: last.size + size };
    else out.push({ price: e.yesPrice, size });
  }
  return out;
}

/** The level changes between two level maps (size "0" for removed levels), in a stable order. */
export function diffLevels(before: Map<string, LevelChange>, after: Map<string, LevelChange>): LevelChange[] {
  const out: LevelChange[] = [];
  for (const [k, v] of after) if (before.get(k)?.size !== v.size) out.push(v);
  for (const [k, v] of before) if (!after.has(k)) out.push({ ...v, size: 0n });
  return out.sort((a, b) => (a.tokenId < b.tokenId ? -1 : a.tokenId > b.tokenId ? 1 : a.side < b.side ? -1 : a.side > b.side ? 1 : a.price < b.price ? -1 : a.price > b.price ? 1 : 0));
}
