/**
 * The Data API `GET /positions`: a bare array of camelCase rows for one user, computed from the
 * exchange's settled balances as they were `lagMs` ago (the indexer lag), hiding rows under
 * `sizeThreshold` shares (default 1, as the real API).
 */
import { formatMicros, MICROS_PER_UNIT } from '../../core/amounts.ts';
import type { ServerContext } from './context.ts';
import { err, ok, type Answer, type Req } from './http-util.ts';

export function positions(ctx: ServerContext, r: Req): Answer {
  const user = r.query.get('user')?.toLowerCase();
  if (!user || !/^0x[0-9a-f]{40}$/.test(user)) return err(400, 'expected user=<0x address>');
  const threshold = Number(r.query.get('sizeThreshold') ?? '1');
  const limit = Math.min(Number(r.query.get('limit') ?? '100'), 500);
  const offset = Number(r.query.get('offset') ?? '0');
  if (![threshold, limit, offset].every((n) => Number.isFinite(n) && n >= 0)) return err(400, 'expected non-negative sizeThreshold, limit and offset');
  const markets = r.query.get('market')?.toLowerCase().split(',').filter(Boolean);
  const asOf = ctx.now() - ctx.runtime.positionsLagMs;
  const rows: Record<string, unknown>[] = [];
  for (const m of ctx.engine.markets()) {
    if (markets && !markets.includes(m.conditionId)) continue;
    const book = ctx.engine.book(m.conditionId)!;
    for (const [i, token] of m.tokens.entries()) {
      const size = ctx.engine.balances.at(user, token, asOf);
      if (size <= 0n || Number(formatMicros(size)) < threshold) continue;
      const b = book.tokenBook(token);
      const mid = b.bids[0] && b.asks[0] ? (b.bids[0].price + b.asks[0].price) / 2n : (ctx.lastTrade.get(token) ?? MICROS_PER_UNIT / 2n);
      const value = (size * mid) / MICROS_PER_UNIT;
      const n = (v: bigint) => Number(formatMicros(v));
      rows.push({
        proxyWallet: user, asset: token, conditionId: m.conditionId, size: n(size), avgPrice: n(mid), initialValue: n(value), currentValue: n(value),
        cashPnl: 0, percentPnl: 0, totalBought: n(size), realizedPnl: 0, percentRealizedPnl: 0, curPrice: n(mid), redeemable: false, mergeable: false,
        title: m.question, slug: m.question.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''), icon: '', eventSlug: 'simulated',
        outcome: i === 0 ? 'Yes' : 'No', outcomeIndex: i, oppositeOutcome: i === 0 ? 'No' : 'Yes', oppositeAsset: m.tokens[1 - i], endDate: '2099-12-31', negativeRisk: m.negRisk,
      });
    }
  }
  return ok(rows.slice(offset, offset + limit));
}
