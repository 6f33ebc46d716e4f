/**
 * Renders alerts as plain text readable on a phone: what happened (a title), which market (the
 * token id shortened in the text, the full one on its own line), the numbers (confirmed / pending /
 * effective, trade ids), the reason, and the time. Pure; no parse mode is needed by the receiver.
 */
import { formatMicros, type Micros } from '../../core/amounts.ts';
import type { AlertSeverity } from '../../core/events.ts';
import type { DetailedAlert } from './alert-types.ts';

/** Telegram's limit on one message's text. */
export const TELEGRAM_MAX_CHARS = 4096;

const ICON: Record<AlertSeverity, string> = { critical: '🔴', warning: '🟠', info: '🟢' };

const TITLES: Record<string, string> = {
  RISK_HALTED: 'HALTED',
  RISK_DEGRADED: 'Degraded',
  RISK_RECOVERED: 'Recovered',
  SOURCE_FALLBACK: 'Fallback source in use',
  SOURCE_PRIMARY_RESTORED: 'Primary source back',
  PENDING_AGED_OUT: 'Pending fills aged out',
  LEDGER_FAILED: 'LEDGER FAILED',
  EVENT_APPLY_FAILED: 'Event could not be applied',
  FILL: 'Fill',
  FILL_FAILED: 'Fill failed on chain',
  FILL_DIGEST: 'Fills digest',
  RECONNECT_STORM: 'Reconnect storm',
  FEED_GAP: 'Feed gap',
  DISCREPANCY: 'Balance discrepancy',
  DAILY_SUMMARY: 'Daily summary',
  ALERT_SINK_FAILED: 'Alert sink failing',
  ALERT_SINK_RECOVERED: 'Alert sink recovered',
};

/** "7164…2891" for long token ids; short ones unchanged. */
export function shortTokenId(tokenId: string): string {
  return tokenId.length > 12 ? `${tokenId.slice(0, 6)}…${tokenId.slice(-4)}` : tokenId;
}

/** A human title for an alert code ("RISK_HALTED" → "HALTED", unknown codes → "Some code"). */
export function alertTitle(code: string): string {
  const t = TITLES[code];
  if (t) return t;
  const words = code.toLowerCase().split('_').filter(Boolean).join(' ');
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'Alert';
}

/** "+12.5" / "-3" / "0": signed amounts for pending lines. */
function signed(v: Micros): string {
  return v > 0n ? `+${formatMicros(v)}` : formatMicros(v);
}

/** HH:MM:SS UTC of an epoch-ms time (the date too when `withDate`). */
export function utcTime(at: number, withDate = false): string {
  const iso = new Date(at).toISOString();
  return withDate ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : `${iso.slice(11, 19)} UTC`;
}

const MAX_TRADE_IDS = 10;

/** The full text of one alert. */
export function formatAlert(a: DetailedAlert): string {
  const lines: string[] = [];
  const token = a.tokenId;
  const head = `${ICON[a.severity]} ${alertTitle(a.code)}`;
  lines.push(token ? `${head} · token ${shortTokenId(token)}` : head);
  if (a.details?.market) lines.push(`Market: ${a.details.market}`);
  lines.push(token ? a.message.split(token).join(shortTokenId(token)) : a.message);
  if (a.reasons?.length) lines.push(`Reason: ${a.reasons.join(', ')}`);
  const p = a.details?.position;
  if (p) {
    lines.push(`Confirmed ${formatMicros(p.confirmed)} · pending ${signed(p.pendingBuys)}/${signed(-p.pendingSells)} · effective ${formatMicros(p.effective)}`);
    if (p.pendingOrderBuys !== undefined && p.pendingOrderBuys !== 0n) lines.push(`Open BUY orders reserve ${formatMicros(p.pendingOrderBuys)}`);
  }
  const tradeIds = a.details?.tradeIds;
  if (tradeIds?.length) {
    const shown = tradeIds.slice(0, MAX_TRADE_IDS).join(', ');
    lines.push(`Trades: ${shown}${tradeIds.length > MAX_TRADE_IDS ? ` (+${tradeIds.length - MAX_TRADE_IDS} more)` : ''}`);
  }
  for (const [label, value] of a.details?.facts ?? []) lines.push(`${label}: ${value}`);
  if (token && shortTokenId(token) !== token) lines.push(`Token: ${token}`);
  lines.push(`${utcTime(a.at)} · ${a.code}`);
  return lines.join('\n');
}

/** Cuts a text to `max` characters, marking the cut. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const mark = '\n… (truncated)';
  return text.slice(0, Math.max(0, max - mark.length)) + mark;
}

export interface GroupItem {
  readonly alert: DetailedAlert;
  /** Further identical alerts suppressed while this one waited (dedup). */
  readonly repeats: number;
}

function itemText(i: GroupItem): string {
  const t = formatAlert(i.alert);
  return i.repeats > 0 ? `${t}\n(repeated ${i.repeats} more time${i.repeats > 1 ? 's' : ''})` : t;
}

/**
 * Packs the longest prefix of `items` that fits one message of `maxChars` (at least one item, cut
 * if it alone is too long). A single item is rendered as is; several get a header counting them.
 */
export function packAlerts(items: readonly GroupItem[], maxChars = TELEGRAM_MAX_CHARS): { count: number; text: string } {
  if (items.length === 0) throw new RangeError('packAlerts needs at least one item');
  const first = itemText(items[0]!);
  if (items.length === 1) return { count: 1, text: truncateText(first, maxChars) };
  const texts = [first];
  const headerFor = (group: readonly GroupItem[]) => {
    const worst = group.some((g) => g.alert.severity === 'critical') ? 'critical' : group.some((g) => g.alert.severity === 'warning') ? 'warning' : 'info';
    return `${ICON[worst]} ${group.length} alerts`;
  };
  const sep = '\n\n';
  // Header length grows at most by a couple of digits; budget for the largest possible count.
  const headerBudget = headerFor(items).length + String(items.length).length + sep.length;
  let used = first.length;
  for (let i = 1; i < items.length; i++) {
    const t = itemText(items[i]!);
    if (headerBudget + used + sep.length + t.length > maxChars) break;
    texts.push(t);
    used += sep.length + t.length;
  }
  if (texts.length === 1) return { count: 1, text: truncateText(first, maxChars) };
  const group = items.slice(0, texts.length);
  return { count: texts.length, text: [headerFor(group), ...texts].join(sep) };
}

/** The alert as JSON-safe data (amounts as decimal strings), for webhooks. */
export function alertToJson(a: DetailedAlert): Record<string, unknown> {
  const p = a.details?.position;
  return {
    type: 'alert',
    at: a.at,
    time: new Date(a.at).toISOString(),
    severity: a.severity,
    code: a.code,
    message: a.message,
    ...(a.tokenId !== undefined && { tokenId: a.tokenId }),
    ...(a.reasons && { reasons: [...a.reasons] }),
    ...(a.details && {
      details: {
        ...(p && {
          position: {
            confirmed: formatMicros(p.confirmed), pendingBuys: formatMicros(p.pendingBuys), pendingSells: formatMicros(p.pendingSells),
            effective: formatMicros(p.effective), ...(p.pendingOrderBuys !== undefined && { pendingOrderBuys: formatMicros(p.pendingOrderBuys) }),
          },
        }),
        ...(a.details.tradeIds && { tradeIds: [...a.details.tradeIds] }),
        ...(a.details.market && { market: a.details.market }),
        ...(a.details.facts && { facts: Object.fromEntries(a.details.facts) }),
      },
    }),
    text: formatAlert(a),
  };
}
