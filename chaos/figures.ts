/**
 * The chaos suite's figures, computed from ground truth: pure functions over the simulator's
 * control answers (trades, accepted orders' exposures), the bot's ledger records and chain balances.
 * Amounts are bigint micro-units inside; decimal strings at the edges.
 */
import { formatMicros, parseMicros, type Micros } from '../core/amounts.ts';

/** One trade as GET /_control/trades answers (the fields used here). */
export interface SimTradeView {
  readonly id: string;
  readonly status: string;
  readonly takerOrderId: string;
  readonly taker: string;
  readonly tokenId: string;
  readonly side: 'BUY' | 'SELL';
  readonly size: string;
  readonly matchTimeMs: number;
  readonly makers: readonly { orderId: string; maker: string; tokenId: string; side: 'BUY' | 'SELL'; shares: string }[];
}

/** One accepted order's record as GET /_control/exposures answers. */
export interface ExposureView {
  readonly atMs: number;
  readonly orderId: string;
  readonly maker: string;
  readonly tokenId: string;
  readonly side: 'BUY' | 'SELL';
  readonly pendingOrderBuys: string;
  readonly conservativeExposure: string;
}

/** One of our fills: `tradeId|orderId` as the ledger keys it. */
export interface OurFill {
  readonly key: string;
  readonly tradeId: string;
  readonly orderId: string;
  readonly tokenId: string;
  readonly side: 'BUY' | 'SELL';
  readonly size: Micros;
  readonly status: string;
  readonly matchTimeMs: number;
}

const UNSETTLED = new Set(['MATCHED', 'MINED', 'RETRYING']);
const strip = (s: string) => s.replace(/^TRADE_STATUS_/, '');

/** Our fills in the simulator's record: every maker fill of ours and every trade we took. */
export function ourFills(trades: readonly SimTradeView[], funder: string): OurFill[] {
  const me = funder.toLowerCase();
  const out: OurFill[] = [];
  for (const t of trades) {
    const status = strip(t.status);
    if (t.taker.toLowerCase() === me) {
      out.push({ key: `${t.id}|${t.takerOrderId}`, tradeId: t.id, orderId: t.takerOrderId, tokenId: t.tokenId, side: t.side, size: parseMicros(t.size, 'trade.size'), status, matchTimeMs: t.matchTimeMs });
    }
    for (const f of t.makers) {
      if (f.maker.toLowerCase() !== me) continue;
      out.push({ key: `${t.id}|${f.orderId}`, tradeId: t.id, orderId: f.orderId, tokenId: f.tokenId, side: f.side, size: parseMicros(f.shares, 'maker.shares'), status, matchTimeMs: t.matchTimeMs });
    }
  }
  return out;
}

/** A `fill` record of the ledger (its tape line). */
export interface LedgerFill {
  readonly tradeId?: string;
  readonly orderId?: string;
  readonly tokenId: string;
  readonly side: string;
  readonly size: string | number;
  readonly status?: string;
}

export interface FillComparison {
  /** Our trades in the simulator's record that never reached the ledger. */
  readonly lost: string[];
  /** Fills in the ledger that are not ours in the simulator's record, or whose size/side/token disagree. */
  readonly counterfeit: string[];
  /** Keys recorded with more than one distinct size (a fill counted as two different fills). */
  readonly conflicting: string[];
  readonly simFills: number;
  readonly ledgerKeys: number;
}

export function compareFills(sim: readonly OurFill[], ledger: readonly LedgerFill[]): FillComparison {
  const byKey = new Map<string, Set<string>>();
  const meta = new Map<string, LedgerFill>();
  for (const f of ledger) {
    const key = `${f.tradeId ?? ''}|${f.orderId ?? ''}`;
    const sizes = byKey.get(key) ?? new Set<string>();
    sizes.add(formatMicros(parseMicros(String(f.size), 'fill.size')));
    byKey.set(key, sizes);
    meta.set(key, f);
  }
  const simKeys = new Map(sim.map((f) => [f.key, f]));
  const lost = sim.filter((f) => !byKey.has(f.key)).map((f) => f.key);
  const counterfeit: string[] = [];
  const conflicting: string[] = [];
  for (const [key, sizes] of byKey) {
    const s = simKeys.get(key);
    const m = meta.get(key)!;
    if (sizes.size > 1) conflicting.push(key);
    if (!s || m.tokenId !== s.tokenId || m.side !== s.side || !sizes.has(formatMicros(s.size))) counterfeit.push(key);
  }
  return { lost, counterfeit, conflicting, simFills: sim.length, ledgerKeys: byKey.size };
}

export interface OrderFigures {
  readonly ourOrders: number;
  /** Accepted orders that left the funder's conservative exposure over the limit. */
  readonly limitBreaches: { orderId: string; tokenId: string; exposure: string; limit: string }[];
  /** Accepted BUY orders that found another BUY of ours live on the same token (the strategy keeps one per side). */
  readonly duplicateOrders: { orderId: string; tokenId: string; pendingOrderBuys: string }[];
}

/**
 * From the simulator's record of accepted orders. `maxOrderSize` is the largest order the strategy
 * places: a BUY whose token's live BUY total exceeds it shares the token with another live BUY.
 */
export function orderFigures(exposures: readonly ExposureView[], funder: string, limit: Micros, maxOrderSize: Micros): OrderFigures {
  const me = funder.toLowerCase();
  const ours = exposures.filter((e) => e.maker.toLowerCase() === me);
  const limitBreaches = ours
    .filter((e) => e.side === 'BUY' && BigInt(e.conservativeExposure) > limit)
    .map((e) => ({ orderId: e.orderId, tokenId: e.tokenId, exposure: formatMicros(BigInt(e.conservativeExposure)), limit: formatMicros(limit) }));
  const duplicateOrders = ours
    .filter((e) => e.side === 'BUY' && BigInt(e.pendingOrderBuys) > maxOrderSize)
    .map((e) => ({ orderId: e.orderId, tokenId: e.tokenId, pendingOrderBuys: formatMicros(BigInt(e.pendingOrderBuys)) }));
  return { ourOrders: ours.length, limitBreaches, duplicateOrders };
}

/** Accepted orders of ours that the bot's ledger never recorded as submitted (orders it may not know it has). */
export function unrecordedOrders(exposures: readonly ExposureView[], funder: string, submittedIds: ReadonlySet<string>): string[] {
  const me = funder.toLowerCase();
  return [...new Set(exposures.filter((e) => e.maker.toLowerCase() === me && !submittedIds.has(e.orderId.toLowerCase())).map((e) => e.orderId))];
}

/** Also a duplicate: the same order id accepted twice (a re-sent order the venue booked again). */
export function repeatedOrderIds(exposures: readonly ExposureView[], funder: string): string[] {
  const me = funder.toLowerCase();
  const seen = new Set<string>();
  const again = new Set<string>();
  for (const e of exposures) {
    if (e.maker.toLowerCase() !== me) continue;
    if (seen.has(e.orderId)) again.add(e.orderId);
    seen.add(e.orderId);
  }
  return [...again];
}

/** What the bot should show as effective per token: settled balance + unsettled buys − unsettled sells. */
export function expectedEffective(chain: ReadonlyMap<string, Micros>, fills: readonly OurFill[]): Map<string, Micros> {
  const out = new Map(chain);
  for (const f of fills) {
    if (!UNSETTLED.has(f.status) || !out.has(f.tokenId)) continue;
    out.set(f.tokenId, out.get(f.tokenId)! + (f.side === 'BUY' ? f.size : -f.size));
  }
  return out;
}

export function unsettledCount(fills: readonly OurFill[]): number {
  return fills.filter((f) => UNSETTLED.has(f.status)).length;
}

/**
 * Tokens whose shown effective size differs from the expected one by more than `tolerance`, among
 * the tokens the bot shows (it shows the tokens it quotes). `shown` is keyed as the status line
 * keys tokens: the full id, or `first5…last5`. A shown token with no expected value is divergent.
 */
export function divergent(expected: ReadonlyMap<string, Micros>, shown: Readonly<Record<string, string>>, tolerance: Micros): string[] {
  const bad: string[] = [];
  const matched = new Set<string>();
  for (const [token, want] of expected) {
    const key = shown[token] !== undefined ? token : shortId(token);
    const v = shown[key];
    if (v === undefined) continue;
    matched.add(key);
    const got = parseMicros(v, `effective of ${token}`);
    const d = got > want ? got - want : want - got;
    if (d > tolerance) bad.push(token);
  }
  for (const k of Object.keys(shown)) if (!matched.has(k)) bad.push(k);
  return bad;
}

export function shortId(t: string): string {
  return t.length > 12 ? `${t.slice(0, 5)}…${t.slice(-5)}` : t;
}

/** The effective sizes in a JSON status line: `tokens: {"94914…77003": "980/981.5 normal"}`. */
export function statusEffective(line: { tokens?: Record<string, string> }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(line.tokens ?? {})) {
    const m = /^[-\d.]+\/([-\d.]+) /.exec(v);
    if (m) out[k] = m[1]!;
  }
  return out;
}
