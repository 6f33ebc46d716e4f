/**
 * Status normalisation for the user channel and REST answers: pure functions with table tests.
 * Venue spellings vary ("MATCHED", "TRADE_STATUS_MATCHED", "live", "CANCELED_order couldn't be fully
 * filled…"); the engine sees only the normalised statuses of core/events.ts, the detail in `reason`.
 */
import { FeedError } from '../../../../core/errors.ts';
import type { FillStatus, OrderStatus } from '../../../../core/events.ts';
import { show } from './fields.ts';

export interface NormalizedTradeStatus {
  readonly status: FillStatus;
  /** MATCHED_NOT_BROADCASTED: matched but not yet handed to the chain. */
  readonly provisional: boolean;
}

const FILL_STATUSES: ReadonlySet<string> = new Set(['MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED']);

/** Normalises a trade status, with or without the TRADE_STATUS_ prefix; throws a FeedError on anything else. */
const EXACT_TRADE: ReadonlyMap<string, NormalizedTradeStatus> = new Map([...FILL_STATUSES].map((st) => [st, Object.freeze({ status: st as FillStatus, provisional: false })]));

export function normalizeTradeStatus(raw: unknown): NormalizedTradeStatus {
  const exact = typeof raw === 'string' ? EXACT_TRADE.get(raw) : undefined;
  if (exact) return exact;
  if (typeof raw === 'string') {
    const u = raw.trim().toUpperCase().replace(/^TRADE_STATUS_/, '');
    if (FILL_STATUSES.has(u)) return { status: u as FillStatus, provisional: false };
    if (u === 'MATCHED_NOT_BROADCASTED') return { status: 'MATCHED', provisional: true };
  }
  throw new FeedError(`expected a trade status (MATCHED, MINED, CONFIRMED, RETRYING, FAILED, MATCHED_NOT_BROADCASTED), got ${show(raw)}`);
}

export interface NormalizedOrderStatus {
  readonly status: OrderStatus;
  /** The venue's detail: a reason suffix, MARKET_RESOLVED, … */
  readonly reason?: string;
}

const ORDER_BASES: readonly OrderStatus[] = ['LIVE', 'DELAYED', 'MATCHED', 'CANCELED', 'EXPIRED', 'REJECTED', 'INVALID', 'UNMATCHED'];
const ALIASES: Readonly<Record<string, OrderStatus>> = { CANCELLED: 'CANCELED', OPEN: 'LIVE' };

/**
 * Normalises an order status: LIVE, MATCHED, CANCELED, INVALID, DELAYED, UNMATCHED (and EXPIRED,
 * REJECTED), any case, with an optional ORDER_STATUS_ prefix; `<STATUS>_<detail>` keeps the detail as
 * the reason (`CANCELED_MARKET_RESOLVED` → CANCELED, reason MARKET_RESOLVED). Throws a FeedError on
 * anything else.
 */
const SPELLINGS: readonly (readonly [string, OrderStatus])[] = [...Object.entries(ALIASES), ...ORDER_BASES.map((b) => [b, b] as const)];
const EXACT_ORDER: ReadonlyMap<string, NormalizedOrderStatus> = new Map(SPELLINGS.map(([alias, status]) => [alias, Object.freeze({ status })]));

export function normalizeOrderStatus(raw: unknown): NormalizedOrderStatus {
  const exact = typeof raw === 'string' ? EXACT_ORDER.get(raw) : undefined;
  if (exact) return exact;
  if (typeof raw === 'string') {
    const text = raw.trim().replace(/^ORDER_STATUS_/i, '');
    const upper = text.toUpperCase();
    for (const [alias, status] of SPELLINGS) {
      if (upper === alias) return { status };
      if (upper.startsWith(`${alias}_`) && text.length > alias.length + 1) {
        return { status, reason: text.slice(alias.length + 1) };
      }
    }
  }
  throw new FeedError(`expected an order status (LIVE, MATCHED, CANCELED, INVALID, DELAYED, UNMATCHED, …), got ${show(raw)}`);
}
