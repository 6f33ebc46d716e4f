/**
 * Pure accounting over trades: the settlement ops of a trade, what an address has committed to
 * matched-but-unsettled trades, and its conservative exposure on a token when an order is accepted.
 */
import { COLLATERAL } from './balances.ts';
import { remaining } from './book.ts';
import type { SettleOp } from './settlement.ts';
import type { BookOrder, MakerFill, SimMarket, SimTrade } from './types.ts';
import { mulMicros } from '../../core/amounts.ts';

/** Collateral of one fill: [maker's, taker's]. A mint/merge splits exactly one unit per share. */
export function fillCollateral(fill: MakerFill): [bigint, bigint] {
  const maker = mulMicros(fill.price, fill.shares);
  return [maker, fill.kind === 'transfer' ? maker : fill.shares - maker];
}

/** One settlement op per maker fill. */
export function tradeOps(trade: SimTrade, market: SimMarket): SettleOp[] {
  return trade.makers.map((f): SettleOp => {
    const [makerCash, takerCash] = fillCollateral(f);
    if (f.kind === 'transfer') {
      const takerBuys = trade.side === 'BUY';
      return { kind: 'transfer', seller: takerBuys ? f.maker : trade.taker, buyer: takerBuys ? trade.taker : f.maker, tokenId: trade.tokenId, shares: f.shares, collateral: makerCash };
    }
    const takerYes = trade.tokenId === market.tokens[0];
    const yes = takerYes ? trade.taker : f.maker;
    const no = takerYes ? f.maker : trade.taker;
    const yesCollateral = takerYes ? takerCash : makerCash;
    const noCollateral = takerYes ? makerCash : takerCash;
    return f.kind === 'mint'
      ? { kind: 'mint', conditionId: trade.conditionId, yesBuyer: yes, noBuyer: no, shares: f.shares, yesCollateral, noCollateral }
      : { kind: 'merge', conditionId: trade.conditionId, yesSeller: yes, noSeller: no, shares: f.shares, yesCollateral, noCollateral };
  });
}

/** Signed flows of one op per (owner, asset): negative = goes out. */
export function opFlows(op: SettleOp, tokens: readonly [string, string]): [string, string, bigint][] {
  if (op.kind === 'transfer') {
    const t = op.tokenId;
    return [[op.seller, t, -op.shares], [op.buyer, t, op.shares], [op.buyer, COLLATERAL, -op.collateral], [op.seller, COLLATERAL, op.collateral]];
  }
  const s = op.kind === 'mint' ? 1n : -1n;
  const y = op.kind === 'mint' ? op.yesBuyer : op.yesSeller;
  const n = op.kind === 'mint' ? op.noBuyer : op.noSeller;
  return [[y, COLLATERAL, -s * op.yesCollateral], [n, COLLATERAL, -s * op.noCollateral], [y, tokens[0], s * op.shares], [n, tokens[1], s * op.shares]];
}

/** Sum of outflows (as a positive number) or inflows of `owner` in `asset` over unsettled trades. */
export function pendingFlow(pending: Iterable<{ ops: readonly SettleOp[]; tokens: readonly [string, string] }>, owner: string, asset: string, dir: 'out' | 'in'): bigint {
  let sum = 0n;
  for (const p of pending) {
    for (const op of p.ops) {
      for (const [who, a, d] of opFlows(op, p.tokens)) {
        if (who.toLowerCase() !== owner || a !== asset) continue;
        if (dir === 'out' && d < 0n) sum -= d;
        if (dir === 'in' && d > 0n) sum += d;
      }
    }
  }
  return sum;
}

export interface ExposureRecord {
  readonly atMs: number;
  readonly orderId: string;
  readonly owner: string;
  readonly maker: string;
  readonly tokenId: string;
  readonly side: 'BUY' | 'SELL';
  /** Settled balance of the token. */
  readonly confirmed: string;
  /** Shares bought in matched, not yet settled trades. */
  readonly pendingFillBuys: string;
  /** Remaining size of the address's live BUY orders on the token (this one included). */
  readonly pendingOrderBuys: string;
  /** confirmed + pendingFillBuys + pendingOrderBuys (micro-units as a decimal integer string). */
  readonly conservativeExposure: string;
}

/** The exposure record of an accepted order, from the state right after it was booked. */
export function exposureRecord(
  order: BookOrder, atMs: number, confirmed: bigint, pendingFillBuys: bigint, liveOrders: Iterable<BookOrder>,
): ExposureRecord {
  let buys = 0n;
  for (const o of liveOrders) if (o.status === 'LIVE' && o.maker === order.maker && o.tokenId === order.tokenId && o.side === 'BUY') buys += remaining(o);
  return {
    atMs, orderId: order.id, owner: order.owner, maker: order.maker, tokenId: order.tokenId, side: order.side,
    confirmed: confirmed.toString(), pendingFillBuys: pendingFillBuys.toString(), pendingOrderBuys: buys.toString(),
    conservativeExposure: (confirmed + pendingFillBuys + buys).toString(),
  };
}
