/**
 * Pure: what one POST /order(s) answer means for each order sent. Rules:
 * - 2xx with a parseable answer: success → accepted (status live/matched/delayed/unmatched),
 *   otherwise rejected with the venue's errorMsg code;
 * - 2xx that cannot be read, 5xx (except an explicit 503 refusal), timeouts and resets: unknown —
 *   the order may be live; resolve by looking it up, never re-post;
 * - 425 / 429 / 503 with the venue's error, and 4xx: rejected (retryable for 425/429/503).
 */
import { z } from 'zod';
import type { OrderStatus } from '../../../../core/events.ts';
import type { PlaceOutcome } from '../../../../core/venue/venue.ts';
import { serverErrorText, type RawAnswer } from './clob-http.ts';
import { postOrderResponseSchema, type PostOrderResponse } from './schemas.ts';

const RETRYABLE_CODES: ReadonlySet<string> = new Set(['EXECUTION_ERROR', 'MARKET_NOT_READY', 'ORDER_DELAYED', 'CLOB_ENGINE_RESTARTING', 'CLOB_RATE_LIMITED', 'CLOB_UNAVAILABLE']);
const STATUS: Readonly<Record<string, OrderStatus>> = { live: 'LIVE', matched: 'MATCHED', delayed: 'DELAYED', unmatched: 'UNMATCHED' };

/** The venue's reason code from an errorMsg ("INVALID_ORDER_MIN_SIZE: …" → that code). */
export function errorCode(errorMsg: string): string {
  const m = /^\s*([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+)\b/.exec(errorMsg);
  if (m) return m[1]!;
  if (/not enough balance|insufficient balance/i.test(errorMsg)) return 'INVALID_ORDER_NOT_ENOUGH_BALANCE';
  if (/duplicat/i.test(errorMsg)) return 'INVALID_ORDER_DUPLICATED';
  return 'ORDER_REJECTED';
}

export function isVersionMismatch(answer: RawAnswer): boolean {
  return answer.text.includes('order_version_mismatch');
}

function fromResponse(orderId: string, r: PostOrderResponse): PlaceOutcome {
  if (r.success === false || (r.errorMsg && !r.orderID)) {
    const reason = r.errorMsg || 'rejected without a reason';
    const code = errorCode(reason);
    return { kind: 'rejected', orderId, code, reason, retryable: RETRYABLE_CODES.has(code) };
  }
  const status = STATUS[(r.status ?? 'live').toLowerCase()] ?? 'LIVE';
  return { kind: 'accepted', orderId, status, ...(r.tradeIDs?.length ? { tradeIds: r.tradeIDs } : {}) };
}

const unknown = (orderId: string, error: string): PlaceOutcome => ({ kind: 'unknown', orderId, error });

/** Outcomes for the orders of one POST, in order. `endpoint` names the request in errors. */
export function placeOutcomes(endpoint: string, orderIds: readonly string[], answer: RawAnswer): PlaceOutcome[] {
  const { status } = answer;
  if (status >= 200 && status < 300) {
    if (orderIds.length === 1 && !Array.isArray(answer.json)) {
      const r = postOrderResponseSchema.safeParse(answer.json);
      return [r.success ? fromResponse(orderIds[0]!, r.data) : unknown(orderIds[0]!, `${endpoint}: unreadable answer to a sent order`)];
    }
    const list = z.array(postOrderResponseSchema).safeParse(answer.json);
    if (!list.success || list.data.length !== orderIds.length) {
      return orderIds.map((id) => unknown(id, `${endpoint}: unreadable batch answer (${list.success ? `${list.data.length} results for ${orderIds.length} orders` : 'malformed'})`));
    }
    return orderIds.map((id, i) => fromResponse(id, list.data[i]!));
  }
  const text = serverErrorText(answer);
  const hasVenueError = answer.json !== undefined && typeof answer.json === 'object' && answer.json !== null;
  if (status === 425 || status === 429 || (status === 503 && hasVenueError)) {
    const code = status === 425 ? 'CLOB_ENGINE_RESTARTING' : status === 429 ? 'CLOB_RATE_LIMITED' : 'CLOB_UNAVAILABLE';
    return orderIds.map((id) => ({ kind: 'rejected', orderId: id, code, reason: `${endpoint}: HTTP ${status}${text ? `: ${text}` : ''}`, retryable: true }));
  }
  if (status >= 500) return orderIds.map((id) => unknown(id, `${endpoint}: HTTP ${status}${text ? `: ${text}` : ''}`));
  const code = status === 401 ? 'CLOB_AUTH_FAILED' : text ? errorCode(text) : `CLOB_HTTP_${status}`;
  return orderIds.map((id) => ({ kind: 'rejected', orderId: id, code, reason: `${endpoint}: HTTP ${status}${text ? `: ${text}` : ''}`, retryable: false }));
}
