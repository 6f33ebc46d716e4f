/**
 * The live terminal view: one screen per refresh, per market our quotes and sizes, the best
 * prices, confirmed / pending / effective inventory, exposure against the limit, the risk mode
 * and its reasons, fills and PnL, with recent alerts below. Pure: state in, text out.
 */
import { formatMicros, type Micros } from '../../core/amounts.ts';
import type { AlertRaised } from '../../core/events.ts';
import type { RiskDecision } from '../../core/risk/decision.ts';
import type { OpenOrderView } from '../../core/strategy/strategy.ts';
import type { VenueHealth } from '../../core/venue/venue.ts';

export interface TokenRow {
  readonly tokenId: string;
  readonly label: string;
  readonly bestBid: Micros | undefined;
  readonly bestAsk: Micros | undefined;
  readonly orders: readonly OpenOrderView[];
  readonly confirmed: Micros;
  readonly pendingBuys: Micros;
  readonly pendingSells: Micros;
  readonly effective: Micros;
  readonly exposure: Micros;
  readonly limit: Micros | undefined;
  readonly decision: RiskDecision;
  readonly realized: Micros;
  readonly unrealized: Micros;
}

export interface ViewState {
  readonly now: number;
  readonly startedAt: number;
  readonly rows: readonly TokenRow[];
  readonly collateral: { available: Micros; confirmed: Micros; known: boolean };
  readonly venue: VenueHealth | undefined;
  readonly counts: { submitted: number; canceled: number; fills: number; breaches: number };
  readonly alerts: readonly AlertRaised[];
  readonly strategies: readonly { name: string; state: string }[];
}

const f2 = (m: Micros | undefined) => (m === undefined ? '  -  ' : Number(formatMicros(m)).toFixed(2));
const px = (m: Micros | undefined) => (m === undefined ? '  -  ' : Number(formatMicros(m)).toFixed(3));
const pad = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export function shortToken(id: string): string {
  return id.length > 12 ? `${id.slice(0, 5)}…${id.slice(-5)}` : id;
}

function quoteCell(orders: readonly OpenOrderView[], side: 'BUY' | 'SELL'): string {
  const mine = orders.filter((o) => o.side === side);
  if (mine.length === 0) return '—';
  return mine.map((o) => `${f2(o.remaining)}@${px(o.price)}`).join(' ');
}

export function renderView(s: ViewState): string {
  const up = Math.round((s.now - s.startedAt) / 1000);
  const v = s.venue;
  const lines: string[] = [];
  lines.push(`polyquote — ${new Date(s.now).toISOString()}  up ${up}s  feeds user=${v?.userFeed ?? '-'} market=${v?.marketFeed ?? '-'}  heartbeat=${v ? (v.heartbeatOk ? 'ok' : 'FAILING') : '-'}  collateral ${s.collateral.known ? f2(s.collateral.available) + ' free of ' + f2(s.collateral.confirmed) : 'unknown'}`);
  lines.push(`orders sent ${s.counts.submitted}  cancelled ${s.counts.canceled}  fills ${s.counts.fills}  limit breaches ${s.counts.breaches}  strategies ${s.strategies.map((x) => `${x.name}:${x.state}`).join(' ') || '-'}`);
  lines.push('');
  lines.push(`${pad('market', 14)} ${pad('our bid', 16)} ${pad('best', 13)} ${pad('our ask', 16)} ${lpad('confirmed', 9)} ${lpad('pend+', 7)} ${lpad('pend-', 7)} ${lpad('effective', 9)} ${lpad('exposure/limit', 15)} ${pad('mode', 9)} ${lpad('pnl', 9)}  reasons`);
  for (const r of s.rows) {
    const mode = r.decision.mode === 'normal' ? 'normal' : r.decision.mode.toUpperCase();
    const limit = r.limit === undefined ? '∞' : f2(r.limit);
    lines.push(
      `${pad(r.label, 14)} ${pad(quoteCell(r.orders, 'BUY'), 16)} ${pad(`${px(r.bestBid)}/${px(r.bestAsk)}`, 13)} ${pad(quoteCell(r.orders, 'SELL'), 16)} ` +
      `${lpad(f2(r.confirmed), 9)} ${lpad(f2(r.pendingBuys), 7)} ${lpad(f2(r.pendingSells), 7)} ${lpad(f2(r.effective), 9)} ${lpad(`${f2(r.exposure)}/${limit}`, 15)} ${pad(mode, 9)} ${lpad(f2(r.realized + r.unrealized), 9)}  ${r.decision.reasons.join(',')}`,
    );
  }
  lines.push('');
  lines.push('recent alerts:');
  for (const a of s.alerts.slice(-8)) lines.push(`  ${new Date(a.at).toISOString().slice(11, 19)} ${pad(a.severity, 8)} ${a.code}: ${a.message}`);
  return lines.join('\n');
}
