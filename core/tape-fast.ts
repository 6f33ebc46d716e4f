/**
 * The decoder's hot path: a fill line exactly as the engine's encoder writes it (tape-json.ts) —
 * canonical ISO `at`, canonical token id, plain amounts, known keys only — decoded without the
 * schema. Anything else (another spelling, an unknown key, a value out of range) returns undefined
 * and goes through the schema decoder, which accepts it or names what is wrong; so this path decides
 * nothing on its own, it only skips work for lines that could not fail. A property test holds the two
 * together (test/core/tape-fast.test.ts). Recovery rebuilds its dedup window from every fill of the
 * last day, and replay reads fills more than any other kind.
 */
import { shortPlainMicros } from './amounts.ts';
import type { FillReported, FillStatus } from './events.ts';
import { isoTime, MAX_AT, MIN_AT } from './iso-time.ts';
import { isTokenId } from './token-id.ts';

const FILL_KEYS: ReadonlySet<string> = new Set(['at', 'kind', 'tradeId', 'orderId', 'tokenId', 'side', 'size', 'price', 'status', 'venueAt']);
const FILL_STATUS: ReadonlySet<string> = new Set(['MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED']);

/** Epoch ms of an ISO time in the encoder's own spelling (`YYYY-MM-DDTHH:MM:SS.mmmZ`), else undefined. */
export function canonicalAt(v: unknown): number | undefined {
  if (typeof v !== 'string' || v.length !== 24 || v.charCodeAt(23) !== 90 /* Z */ || v.charCodeAt(10) !== 84 /* T */) return undefined;
  const ms = Date.parse(v);
  // Written back the same way it must give the same text: no rolled-over date, no other spelling.
  if (!(ms >= MIN_AT && ms <= MAX_AT) || isoTime(ms) !== v) return undefined;
  return ms;
}

const optId = (v: unknown, min: number): boolean => v === undefined || (typeof v === 'string' && v.length >= min && v.length <= 200);

/** The fill a canonical fill line holds, or undefined to leave the line to the schema decoder. */
export function decodeCanonicalFill(obj: Record<string, unknown>): FillReported | undefined {
  if (obj.kind !== 'fill') return undefined;
  for (const k in obj) if (!FILL_KEYS.has(k)) return undefined;
  const at = canonicalAt(obj.at);
  const { tradeId, orderId, tokenId, side, status, venueAt } = obj;
  if (at === undefined || !optId(tradeId, 0) || !optId(orderId, 1)) return undefined;
  if (typeof tokenId !== 'string' || !isTokenId(tokenId) || (side !== 'BUY' && side !== 'SELL')) return undefined;
  if (status !== undefined && !(typeof status === 'string' && FILL_STATUS.has(status))) return undefined;
  if (venueAt !== undefined && !(typeof venueAt === 'number' && Number.isSafeInteger(venueAt) && venueAt >= 0)) return undefined;
  const size = shortPlainMicros(obj.size);
  const price = shortPlainMicros(obj.price);
  if (size === undefined || price === undefined || price > 1_000_000n) return undefined;
  // The schema decoder's shape, key for key.
  const fill: { -readonly [K in keyof FillReported]: FillReported[K] } = { type: 'fill', at, tokenId, side, size, price, status: (status ?? 'MATCHED') as FillStatus };
  if (tradeId !== undefined && tradeId !== '') fill.tradeId = tradeId as string;
  if (orderId !== undefined) fill.orderId = orderId as string;
  if (venueAt !== undefined) fill.venueAt = venueAt as number;
  return fill;
}
