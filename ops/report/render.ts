/**
 * The incident report: ONE self-contained HTML file (inline CSS and SVG, no script, no external
 * asset) with, per token, a chart over time of confirmed / pending / effective size and
 * reservations, risk modes shaded behind it, absorbed snapshots, discrepancies and fills marked on
 * it, the shadow sets' divergences in a strip below, and tables with the exact numbers.
 */
import { formatMicros, microsToNumber, type Micros } from '../../core/amounts.ts';
import { scrubSecrets } from '../../core/logger.ts';
import { downsample, esc, linear, niceTicks, stepPath, timeLabel, timeTicks } from './svg.ts';
import type { ModeSpan, PositionSample, Timeline, TokenTimeline } from './timeline.ts';

export interface ReportMeta {
  readonly title: string;
  readonly tapeName: string;
  readonly generatedAt: string;
}

const W = 1100;
const H = 280;
const M = { left: 64, right: 16, top: 14, bottom: 28 };
const MODE_FILL: Record<string, string> = { degraded: '#f2c14e', halted: '#e05252' };
const SERIES: { key: keyof PositionSample; label: string; color: string; dash?: string; width?: number }[] = [
  { key: 'confirmed', label: 'confirmed', color: '#1f4e9c', width: 2.2 },
  { key: 'effective', label: 'effective', color: '#e07b00', width: 1.8 },
  { key: 'pendingBuys', label: 'pending buys', color: '#2e9d5b', dash: '5 3' },
  { key: 'pendingSells', label: 'pending sells', color: '#c0392b', dash: '5 3' },
  { key: 'pendingOrderBuys', label: 'reserved (open BUY orders)', color: '#7b4fc9', dash: '2 3' },
];

const num = (v: Micros) => microsToNumber(v);
const fmt = formatMicros;

/** Seconds spent in each non-normal mode, from the spans (end = the timeline's end). */
export function timeInModes(spans: readonly ModeSpan[], endAt: number): Record<'degraded' | 'halted', number> {
  const ms = { degraded: 0, halted: 0 };
  for (const s of spans) if (s.mode !== 'normal') ms[s.mode] += (s.to ?? endAt) - s.from;
  // whole milliseconds summed, divided once: 13116.5, never 13116.500000000104
  return { degraded: ms.degraded / 1000, halted: ms.halted / 1000 };
}

/** At most `cap` items, evenly spread over the whole run (not the first ones). */
export function thin<T>(items: readonly T[], cap = 1500): readonly T[] {
  if (items.length <= cap) return items;
  const out: T[] = [];
  for (let i = 0; i < cap; i++) out.push(items[Math.floor((i * items.length) / cap)]!);
  return out;
}

/** Spans of the same key closer than a pixel are drawn as one band (long incidents stay light). */
export function bands<T extends { from: number; to: number | undefined }>(spans: readonly T[], key: (s: T) => string, x: (v: number) => number, end: number) {
  const out: { first: T; key: string; from: number; to: number; x0: number; x1: number; count: number }[] = [];
  for (const s of spans) {
    const k = key(s);
    const to = s.to ?? end;
    const last = out[out.length - 1];
    if (last && last.key === k && x(s.from) - last.x1 < 1) {
      last.to = to;
      last.x1 = x(to);
      last.count++;
    } else {
      out.push({ first: s, key: k, from: s.from, to, x0: x(s.from), x1: x(to), count: 1 });
    }
  }
  return out;
}

function chart(t: TokenTimeline, tl: Timeline, sets: readonly string[]): string {
  const t0 = tl.startAt ?? 0;
  const t1 = Math.max(tl.endAt ?? t0, t0 + 1);
  const stripH = 12;
  const height = H + sets.length * (stripH + 4) + (sets.length ? 10 : 0);
  const x = linear(t0, t1, M.left, W - M.right);
  const samples = downsample(t.samples, (s) => num(s.effective));
  const values = samples.flatMap((s) => SERIES.map((k) => num(s[k.key] as Micros)));
  if (t.limit !== undefined) values.push(num(t.limit));
  const lo = Math.min(0, ...values);
  const hi = Math.max(1, ...values);
  const pad = (hi - lo) * 0.06;
  const y = linear(lo - pad, hi + pad, H - M.bottom, M.top);
  const withDate = t1 - t0 > 86_400_000;
  const parts: string[] = [];
  for (const b of bands(t.modes.filter((s) => s.mode !== 'normal'), (s) => s.mode, x, t1)) {
    const s = b.first;
    const what = b.count > 1 ? `${b.count} ${s.mode} spans` : `${s.mode}: ${s.reasons.join(', ')}`;
    parts.push(`<rect class="mode ${s.mode}" data-mode="${s.mode}" x="${b.x0.toFixed(1)}" y="${M.top}" width="${Math.max(1, b.x1 - b.x0).toFixed(1)}" height="${H - M.top - M.bottom}" fill="${MODE_FILL[s.mode]}" fill-opacity="0.28"><title>${esc(`${timeLabel(b.from, withDate)}–${timeLabel(b.to, withDate)} ${what}`)}</title></rect>`);
  }
  for (const v of niceTicks(lo, hi)) parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e3e6eb"/><text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="tick">${esc(v)}</text>`);
  for (const v of timeTicks(t0, t1, 6)) {
    const anchor = x(v) > W - M.right - 40 ? 'end' : x(v) < M.left + 40 ? 'start' : 'middle';
    parts.push(`<text x="${x(v).toFixed(1)}" y="${H - 8}" text-anchor="${anchor}" class="tick">${esc(timeLabel(v, withDate))}</text>`);
  }
  if (t.limit !== undefined) parts.push(`<line class="limit" x1="${M.left}" x2="${W - M.right}" y1="${y(num(t.limit)).toFixed(1)}" y2="${y(num(t.limit)).toFixed(1)}" stroke="#555" stroke-dasharray="8 4"><title>limit ${esc(fmt(t.limit))}</title></line>`);
  for (const f of thin(t.fills)) {
    const cx = x(f.at);
    const cy = H - M.bottom - 6;
    const pts = f.side === 'BUY' ? `${cx - 4},${cy + 3} ${cx + 4},${cy + 3} ${cx},${cy - 4}` : `${cx - 4},${cy - 3} ${cx + 4},${cy - 3} ${cx},${cy + 4}`;
    parts.push(`<polygon class="fill-marker" points="${pts}" fill="${f.status === 'FAILED' ? '#999' : f.side === 'BUY' ? '#2e9d5b' : '#c0392b'}"><title>${esc(`#${f.seq} fill ${f.tradeId ?? ''} ${f.side} ${fmt(f.size)} @ ${fmt(f.price)} ${f.status}`)}</title></polygon>`);
  }
  const absorbed = thin(t.absorbed);
  const dense = absorbed.length > 150; // many snapshots: small markers, so the lines stay readable
  for (const a of absorbed) {
    parts.push(`<circle class="absorbed-marker" cx="${x(a.at).toFixed(1)}" cy="${y(num(a.confirmed)).toFixed(1)}" r="${dense ? 1.6 : 4.5}" fill="#fff" stroke="#2e9d5b" stroke-width="${dense ? 0.8 : 2}" stroke-opacity="${dense ? 0.6 : 1}"><title>${esc(`#${a.seq} snapshot absorbed buys ${fmt(a.buys)}, sells ${fmt(a.sells)}; confirmed ${fmt(a.confirmed)}`)}</title></circle>`);
  }
  for (const d of thin(t.discrepancies)) {
    const cx = x(d.at);
    const cy = y(num(d.after));
    parts.push(`<g class="discrepancy-marker"><path d="M${cx - 6},${cy - 6}L${cx + 6},${cy + 6}M${cx - 6},${cy + 6}L${cx + 6},${cy - 6}" stroke="#d01c1c" stroke-width="3"/><title>${esc(`#${d.seq} discrepancy: confirmed ${fmt(d.before)} → ${fmt(d.after)}, unexplained ${fmt(d.unexplained)}`)}</title></g>`);
  }
  for (const k of SERIES) {
    const d = stepPath(samples.map((s) => ({ x: x(s.at), y: y(num(s[k.key] as Micros)) })));
    if (d) parts.push(`<path data-series="${k.key}" d="${d}" fill="none" stroke="${k.color}" stroke-width="${k.width ?? 1.4}"${k.dash ? ` stroke-dasharray="${k.dash}"` : ''}/>`);
  }
  sets.forEach((set, i) => {
    const sy = H + 6 + i * (stripH + 4);
    parts.push(`<text x="${M.left - 6}" y="${sy + 10}" text-anchor="end" class="tick">${esc(set)}</text><rect x="${M.left}" y="${sy}" width="${W - M.left - M.right}" height="${stripH}" fill="#f1f3f6"/>`);
    for (const b of bands(t.divergences.filter((v) => v.set === set), () => set, x, t1)) {
      const dv = b.first;
      const what = `${b.count > 1 ? `${b.count} spans, ` : ''}shadow ${set}: ${dv.shadow} while live ${dv.live}`;
      parts.push(`<rect class="divergence" data-set="${esc(set)}" x="${b.x0.toFixed(1)}" y="${sy}" width="${Math.max(1.5, b.x1 - b.x0).toFixed(1)}" height="${stripH}" fill="${dv.shadow === 'normal' ? '#8fb3e8' : MODE_FILL[dv.shadow]}"><title>${esc(`${what}, ${timeLabel(b.from, withDate)}–${timeLabel(b.to, withDate)}`)}</title></rect>`);
    }
  });
  return `<svg class="chart" data-token="${esc(t.tokenId)}" viewBox="0 0 ${W} ${height}" width="100%" role="img" aria-label="${esc(`positions of ${t.tokenId}`)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function legend(): string {
  const items = SERIES.map((s) => `<span><svg width="26" height="10"><line x1="0" x2="26" y1="5" y2="5" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/></svg>${esc(s.label)}</span>`);
  items.push('<span><i class="sw" style="background:#f2c14e88"></i>degraded</span>', '<span><i class="sw" style="background:#e0525288"></i>halted</span>',
    '<span>▲▼ fills</span>', '<span style="color:#2e9d5b">○</span><span>absorbed snapshot</span>', '<span style="color:#d01c1c">✕</span><span>discrepancy</span>', '<span>- - limit</span>',
    '<span><i class="sw" style="background:#8fb3e8"></i>shadow set deciding differently</span>');
  return `<div class="legend">${items.join('')}</div>`;
}

function tokenSection(t: TokenTimeline, tl: Timeline): string {
  const last = t.samples[t.samples.length - 1];
  const z = 0n;
  const modes = timeInModes(t.modes, tl.endAt ?? 0);
  const finalMode = t.modes[t.modes.length - 1];
  const sum = (xs: readonly { buys?: Micros; sells?: Micros }[], k: 'buys' | 'sells') => xs.reduce((a, v) => a + (v[k] ?? 0n), 0n);
  const rows: [string, string, string][] = [
    ['confirmed', 'confirmed', fmt(last?.confirmed ?? z)], ['pending buys', 'pendingBuys', fmt(last?.pendingBuys ?? z)], ['pending sells', 'pendingSells', fmt(last?.pendingSells ?? z)],
    ['effective', 'effective', fmt(last?.effective ?? z)], ['reserved (open BUY orders)', 'pendingOrderBuys', fmt(last?.pendingOrderBuys ?? z)],
    ['conservative exposure', 'conservativeExposure', fmt(last?.conservativeExposure ?? z)], ['limit', 'limit', t.limit === undefined ? '—' : fmt(t.limit)],
    ['fills reported', 'fills', String(t.fills.length)], ['absorbed snapshots', 'absorbedCount', String(t.absorbed.length)],
    ['absorbed buys / sells', 'absorbed', `${fmt(sum(t.absorbed, 'buys'))} / ${fmt(sum(t.absorbed, 'sells'))}`], ['discrepancies', 'discrepancies', String(t.discrepancies.length)],
    ['time degraded / halted (s)', 'timeInModes', `${modes.degraded} / ${modes.halted}`], ['final mode', 'mode', finalMode ? `${finalMode.mode}${finalMode.reasons.length ? ` (${finalMode.reasons.join(', ')})` : ''}` : 'normal'],
    ['shadow divergence spans', 'divergenceSpans', String(t.divergences.length)],
  ];
  const disc = t.discrepancies.map((d) => `<tr><td>#${d.seq}</td><td>${esc(new Date(d.at).toISOString())}</td><td>${esc(fmt(d.before))}</td><td>${esc(fmt(d.after))}</td><td>${esc(fmt(d.unexplained))}</td></tr>`).join('');
  return `<section class="token" data-token="${esc(t.tokenId)}"><h2>token ${esc(t.tokenId)}</h2>${chart(t, tl, tl.shadowSets)}
<div class="cols"><table class="summary"><tbody>${rows.map(([l, f, v]) => `<tr><td>${esc(l)}</td><td data-field="${f}">${esc(v)}</td></tr>`).join('')}</tbody></table>
${disc ? `<table class="discrepancies"><thead><tr><th>seq</th><th>at</th><th>confirmed before</th><th>after</th><th>unexplained</th></tr></thead><tbody>${disc}</tbody></table>` : '<p class="muted">no discrepancies</p>'}</div></section>`;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f4f5f7}header{background:#1d2330;color:#fff;padding:14px 20px}
h1{margin:0 0 4px;font-size:19px}h2{font-size:14px;margin:0 0 8px;word-break:break-all}.muted{color:#8a93a6}header .muted{color:#b8c0d0}
section{background:#fff;margin:14px 20px;padding:12px 14px;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #eef0f3;text-align:right}td:first-child,th:first-child{text-align:left}
.cols{display:flex;gap:28px;flex-wrap:wrap;align-items:flex-start;margin-top:8px}.tick{font-size:11px;fill:#6b7385}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px;margin:0 20px}.legend span{display:inline-flex;align-items:center;gap:4px}
.sw{display:inline-block;width:14px;height:10px}.crit{color:#d23c3c}.warn{color:#b47c00}`;

export function renderReport(tl: Timeline, meta: ReportMeta): string {
  const span = tl.startAt === undefined ? 'empty tape' : `${new Date(tl.startAt).toISOString()} → ${new Date(tl.endAt ?? tl.startAt).toISOString()}`;
  const overall = timeInModes(tl.overall, tl.endAt ?? 0);
  const tokens = [...tl.tokens.values()].sort((a, b) => (a.tokenId < b.tokenId ? -1 : 1));
  const shadows = tl.shadowSets.map((s) => {
    const c = tl.divergenceCounts.get(s) ?? [];
    return `<tr data-shadow="${esc(s)}"><td>${esc(s)}</td><td data-field="divergences">${c[c.length - 1]?.count ?? 0}</td><td>${tokens.reduce((a, t) => a + t.divergences.filter((d) => d.set === s).length, 0)}</td></tr>`;
  }).join('');
  const alerts = tl.alerts.slice(0, 500).map((a) => `<tr class="${a.severity === 'critical' ? 'crit' : a.severity === 'warning' ? 'warn' : ''}"><td>${esc(new Date(a.at).toISOString())}</td><td>${esc(a.severity)}</td><td>${esc(a.code)}</td><td style="text-align:left">${esc(scrubSecrets(a.message))}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(meta.title)}</title><link rel="icon" href="data:,"><style>${CSS}</style></head><body>
<header><h1>${esc(meta.title)}</h1><div class="muted">tape ${esc(meta.tapeName)} · ${esc(span)} · <span data-field="events">${tl.events}</span> events · overall degraded ${overall.degraded} s, halted ${overall.halted} s · generated ${esc(meta.generatedAt)}</div></header>
${legend()}
${tokens.map((t) => tokenSection(t, tl)).join('\n')}
<section><h2>Shadow risk sets (never acted on)</h2>${shadows ? `<table><thead><tr><th>set</th><th>divergent evaluations</th><th>divergence spans</th></tr></thead><tbody>${shadows}</tbody></table>` : '<p class="muted">no shadow sets configured</p>'}</section>
<section><h2>Alerts</h2>${alerts ? `<table class="alerts"><thead><tr><th>at</th><th>severity</th><th>code</th><th>message</th></tr></thead><tbody>${alerts}</tbody></table>` : '<p class="muted">no alerts</p>'}</section>
</body></html>
`;
}
