/**
 * The tape line form of inbound events (tape-format.md) — the public contract that the ledger
 * stores, `ledger export` writes and `replay` reads. Decoding validates every field and names it.
 */
import { z } from 'zod';
import { formatMicros, parseMicros, parseNonNegativeMicros, type Micros } from './amounts.ts';
import type { InboundEvent } from './events.ts';
import { isoTime, MAX_AT, MIN_AT } from './iso-time.ts';
import { isTokenId } from './token-id.ts';
import { decodeCanonicalFill } from './tape-fast.ts';

export { isTokenId } from './token-id.ts';

const tokenId = z.string().refine(isTokenId, 'expected a canonical decimal uint256 token id (no leading zeros, below 2^256)');
const amount = z.union([z.string().max(64, 'expected an amount of at most 64 characters'), z.number()]);
const side = z.enum(['BUY', 'SELL']);
const at = z.union([z.string().max(40), z.number()]);
const venueAt = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional();
const id = z.string().min(1).max(200);
const block = z.union([z.string().regex(/^(0|[1-9]\d{0,15})$/, 'expected a block number'), z.number().int().nonnegative()])
  .refine((b) => Number(b) <= Number.MAX_SAFE_INTEGER, 'expected a block number below 2^53');

const lineSchemas = {
  fill: z.strictObject({
    at, kind: z.literal('fill'),
    // An empty trade id is no trade id: the fill gets a synthesized key.
    tradeId: z.string().max(200).optional(), orderId: id.optional(),
    tokenId, side, size: amount, price: amount,
    status: z.enum(['MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED']).optional(), venueAt,
  }),
  submit: z.strictObject({ at, kind: z.literal('submit'), orderId: id, tokenId, side, price: amount, size: amount }),
  cancel: z.strictObject({ at, kind: z.literal('cancel'), orderId: id }),
  order: z.strictObject({
    at, kind: z.literal('order'), orderId: id, tokenId: tokenId.optional(), side: side.optional(),
    status: z.enum(['LIVE', 'DELAYED', 'MATCHED', 'CANCELED', 'EXPIRED', 'REJECTED', 'INVALID', 'UNMATCHED']),
    originalSize: amount.optional(), sizeMatched: amount.optional(), price: amount.optional(), reason: z.string().max(500).optional(), venueAt,
  }),
  balance: z.strictObject({
    at, kind: z.literal('balance'), source: z.enum(['chain', 'rest']),
    balances: z.record(z.string(), amount), block: block.optional(),
    degraded: z.boolean().optional(), collateral: amount.optional(),
  }),
  source_error: z.strictObject({ at, kind: z.literal('source_error'), source: z.string().min(1).max(100), error: z.string().max(2000) }),
  connection: z.strictObject({ at, kind: z.literal('connection'), channel: z.enum(['user', 'market']), state: z.enum(['connected', 'disconnected']) }),
  gap: z.strictObject({ at, kind: z.literal('gap'), channel: z.enum(['user', 'market']), reason: z.string().max(500).optional() }),
  book: z.strictObject({
    at, kind: z.literal('book'), tokenId,
    bids: z.array(z.tuple([amount, amount])).max(10_000), asks: z.array(z.tuple([amount, amount])).max(10_000), tickSize: amount.optional(), venueAt,
  }),
  merge: z.strictObject({
    at, kind: z.literal('merge'), marketId: z.string().min(1).max(200), tokens: z.tuple([tokenId, tokenId]), amount,
    status: z.enum(['sent', 'failed']), txHash: z.string().max(200).optional(),
  }),
  book_delta: z.strictObject({
    at, kind: z.literal('book_delta'), tokenId,
    changes: z.array(z.strictObject({ side, price: amount, size: amount })).max(10_000), tickSize: amount.optional(), venueAt,
  }),
} as const;

export type EventLineKind = keyof typeof lineSchemas;
export const EVENT_LINE_KINDS = Object.keys(lineSchemas) as EventLineKind[];
const EVENT_KIND_SET: ReadonlySet<string> = new Set(EVENT_LINE_KINDS);

/** Whether a tape `kind` is an inbound event (as opposed to `advance`, `query`, raw frames). */
export function isEventLineKind(kind: unknown): kind is EventLineKind {
  return typeof kind === 'string' && EVENT_KIND_SET.has(kind);
}

export { MAX_AT, MIN_AT } from './iso-time.ts';

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses the `at` field: an ISO-8601 time with a zone (`Z` or `±hh:mm`) or integer epoch
 * milliseconds, between MIN_AT and MAX_AT. A time without a zone (which would read as local time),
 * an impossible date (2026-02-30, which Date would roll over) or a sub-millisecond fraction is refused.
 */
export function parseAt(value: unknown, where: string): number {
  // No closure for the error: this runs for every line (a named arrow costs a __name call under tsx).
  const fail = atError;
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw fail(value, where, ' (an integer)');
    ms = value;
  } else if (typeof value === 'string') {
    const m = value.length <= 40 ? ISO_RE.exec(value) : null;
    if (!m) throw fail(value, where, /^\d{4}-\d\d-\d\dT[\d:.]+$/.test(value) ? ' (this one has no zone: add Z)' : '');
    const [, y, mo, d, h, mi, sec = '0', frac = '', zone] = m;
    const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(sec);
    const dim = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (month < 1 || month > 12 || day < 1 || day > dim || hour > 23 || minute > 59 || second > 59) throw fail(value, where, ' (this date or time does not exist)');
    if (/[1-9]/.test(frac.slice(3))) throw fail(value, where, ' (at most millisecond precision)');
    let offset = 0;
    if (zone !== 'Z') {
      const oh = Number(zone!.slice(1, 3)), om = Number(zone!.slice(4, 6));
      if (oh > 23 || om > 59) throw fail(value, where, ' (this zone offset does not exist)');
      offset = (zone![0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
    }
    ms = Date.UTC(year, month - 1, day, hour, minute, second, Number(frac.slice(0, 3).padEnd(3, '0'))) - offset;
    if (year < 100) ms = new Date(ms).setUTCFullYear(year) - 0; // Date.UTC maps years 0–99 onto 1900–1999
  } else {
    throw fail(value, where);
  }
  if (!(ms >= MIN_AT && ms <= MAX_AT)) throw fail(value, where, ` between ${new Date(MIN_AT).toISOString()} and ${new Date(MAX_AT).toISOString()}`);
  return ms;
}

function atError(value: unknown, where: string, why = ''): Error {
  return new Error(`expected an ISO-8601 time with a zone or epoch milliseconds${why}, got ${describeAt(value)} at ${where}`);
}

function describeAt(value: unknown): string {
  const s = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return s.length > 60 ? `${JSON.stringify(s.slice(0, 60))}…` : typeof value === 'string' ? JSON.stringify(s) : s;
}

/**
 * Why an event cannot be ledgered (recovery's decoder would refuse it), checked cheaply on every
 * inbound event: a time that is not an integer in range. `undefined` when it can be.
 */
export function unstorableReason(e: InboundEvent): string | undefined {
  if (!Number.isSafeInteger(e.at) || e.at < MIN_AT || e.at > MAX_AT) return `expected at to be integer epoch ms between ${MIN_AT} and ${MAX_AT}, got ${String(e.at)}`;
  const v = (e as { venueAt?: unknown }).venueAt;
  if (v !== undefined && (!Number.isSafeInteger(v) || (v as number) < 0)) return `expected venueAt to be integer epoch ms, got ${String(v)}`;
  return undefined;
}

/** Decodes one event line object (already JSON-parsed). Throws an Error naming the field. */
export function decodeEventLine(obj: Record<string, unknown>): InboundEvent {
  return decodeCanonicalFill(obj) ?? decodeLineWithSchema(obj);
}

/** decodeEventLine without its fast path: every line through its schema (exported for the test holding the two together). */
export function decodeLineWithSchema(obj: Record<string, unknown>): InboundEvent {
  const kind = obj.kind as EventLineKind;
  const schema = lineSchemas[kind];
  if (!schema) throw new Error(`unknown kind ${JSON.stringify(obj.kind)}`);
  const r = schema.safeParse(obj);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${i.message} at ${i.path.join('.') || '(line)'}`);
  }
  const l = r.data as Record<string, any>;
  const t = parseAt(l.at, 'at');
  switch (kind) {
    case 'fill':
      return {
        type: 'fill', at: t, tokenId: l.tokenId, side: l.side, size: parseSize(l.size, 'size'), price: parsePrice(l.price, 'price'),
        status: l.status ?? 'MATCHED',
        ...(l.tradeId !== undefined && l.tradeId !== '' && { tradeId: l.tradeId }), ...(l.orderId !== undefined && { orderId: l.orderId }),
        ...(l.venueAt !== undefined && { venueAt: l.venueAt }),
      };
    case 'submit':
      return { type: 'submit', at: t, orderId: l.orderId, tokenId: l.tokenId, side: l.side, price: parsePrice(l.price, 'price'), size: parseSize(l.size, 'size') };
    case 'cancel':
      return { type: 'cancel', at: t, orderId: l.orderId };
    case 'order':
      return {
        type: 'order', at: t, orderId: l.orderId, status: l.status,
        ...(l.tokenId !== undefined && { tokenId: l.tokenId }), ...(l.side !== undefined && { side: l.side }),
        ...(l.originalSize !== undefined && { originalSize: parseSize(l.originalSize, 'originalSize') }),
        ...(l.sizeMatched !== undefined && { sizeMatched: parseSize(l.sizeMatched, 'sizeMatched') }),
        ...(l.price !== undefined && { price: parsePrice(l.price, 'price') }), ...(l.reason !== undefined && { reason: l.reason }),
        ...(l.venueAt !== undefined && { venueAt: l.venueAt }),
      };
    case 'balance': {
      const balances = new Map<string, Micros>();
      for (const [k, v] of Object.entries(l.balances as Record<string, unknown>)) {
        if (!isTokenId(k)) throw new Error(`expected a canonical decimal uint256 token id (no leading zeros, below 2^256) as key, got ${JSON.stringify(String(k).slice(0, 90))} at balances`);
        balances.set(k, parseBounded(v, `balances.${k}`));
      }
      return {
        type: 'balance', at: t, source: l.source, balances,
        ...(l.block !== undefined && { block: BigInt(l.block) }), ...(l.degraded !== undefined && { degraded: l.degraded }),
        ...(l.collateral !== undefined && { collateral: parseSize(l.collateral, 'collateral') }),
      };
    }
    case 'source_error':
      return { type: 'source_error', at: t, source: l.source, error: l.error };
    case 'connection':
      return { type: 'connection', at: t, channel: l.channel, state: l.state };
    case 'gap':
      return { type: 'gap', at: t, channel: l.channel, ...(l.reason !== undefined && { reason: l.reason }) };
    case 'book': {
      const lv = (arr: [unknown, unknown][], f: string) => arr.map(([p, s], i) => [parsePrice(p, `${f}.${i}.0`), parseSize(s, `${f}.${i}.1`)] as const);
      return {
        type: 'book', at: t, tokenId: l.tokenId, bids: lv(l.bids, 'bids'), asks: lv(l.asks, 'asks'),
        ...(l.tickSize !== undefined && { tickSize: parsePrice(l.tickSize, 'tickSize') }), ...(l.venueAt !== undefined && { venueAt: l.venueAt }),
      };
    }
    case 'merge':
      return {
        type: 'merge', at: t, marketId: l.marketId, tokens: [l.tokens[0], l.tokens[1]], amount: parseSize(l.amount, 'amount'), status: l.status,
        ...(l.txHash !== undefined && { txHash: l.txHash }),
      };
    case 'book_delta': {
      const changes = (l.changes as { side: 'BUY' | 'SELL'; price: unknown; size: unknown }[]).map((c, i) => ({
        side: c.side, price: parsePrice(c.price, `changes.${i}.price`), size: parseSize(c.size, `changes.${i}.size`),
      }));
      return {
        type: 'book_delta', at: t, tokenId: l.tokenId, changes,
        ...(l.tickSize !== undefined && { tickSize: parsePrice(l.tickSize, 'tickSize') }), ...(l.venueAt !== undefined && { venueAt: l.venueAt }),
      };
    }
  }
}

/** Largest size or balance accepted: 10^15 shares (far above any real position, far below overflow worries). */
export const MAX_AMOUNT: Micros = 10n ** 21n;

function parseBounded(v: unknown, f: string): Micros {
  const x = parseMicros(v, f);
  if (x > MAX_AMOUNT || x < -MAX_AMOUNT) throw new Error(`expected an amount of at most ${formatMicros(MAX_AMOUNT)} in size, got ${formatMicros(x)} at ${f}`);
  return x;
}

function parseSize(v: unknown, f: string): Micros {
  const x = parseNonNegativeMicros(v, f);
  if (x > MAX_AMOUNT) throw new Error(`expected a size of at most ${formatMicros(MAX_AMOUNT)}, got ${formatMicros(x)} at ${f}`);
  return x;
}

/** Prices are probabilities: between 0 and 1. */
export function parsePrice(v: unknown, f: string): Micros {
  const x = parseNonNegativeMicros(v, f);
  if (x > 1_000_000n) throw new Error(`expected a price between 0 and 1, got ${formatMicros(x)} at ${f}`);
  return x;
}

/** Encodes an event as its tape line object (amounts as exact decimal strings, `at` as ISO). */
export function encodeEventLine(e: InboundEvent): Record<string, unknown> {
  const base: Record<string, unknown> = { at: isoTime(e.at), kind: e.type };
  const f = formatMicros;
  switch (e.type) {
    case 'fill': {
      // The hottest line kind: built by assignment, without spreads.
      const o: Record<string, unknown> = base;
      if (e.tradeId !== undefined) o.tradeId = e.tradeId;
      if (e.orderId !== undefined) o.orderId = e.orderId;
      o.tokenId = e.tokenId;
      o.side = e.side;
      o.size = f(e.size);
      o.price = f(e.price);
      o.status = e.status;
      if (e.venueAt !== undefined) o.venueAt = e.venueAt;
      return o;
    }
    case 'submit':
      return { ...base, orderId: e.orderId, tokenId: e.tokenId, side: e.side, price: f(e.price), size: f(e.size) };
    case 'cancel':
      return { ...base, orderId: e.orderId };
    case 'order':
      return { ...base, orderId: e.orderId, ...(e.tokenId !== undefined && { tokenId: e.tokenId }), ...(e.side !== undefined && { side: e.side }),
        status: e.status, ...(e.originalSize !== undefined && { originalSize: f(e.originalSize) }),
        ...(e.sizeMatched !== undefined && { sizeMatched: f(e.sizeMatched) }), ...(e.price !== undefined && { price: f(e.price) }),
        ...(e.reason !== undefined && { reason: e.reason }), ...(e.venueAt !== undefined && { venueAt: e.venueAt }) };
    case 'balance':
      return { ...base, source: e.source, balances: Object.fromEntries([...e.balances].map(([k, v]) => [k, f(v)])),
        ...(e.block !== undefined && { block: e.block.toString() }), ...(e.degraded !== undefined && { degraded: e.degraded }),
        ...(e.collateral !== undefined && { collateral: f(e.collateral) }) };
    case 'source_error':
      return { ...base, source: e.source, error: e.error };
    case 'connection':
      return { ...base, channel: e.channel, state: e.state };
    case 'gap':
      return { ...base, channel: e.channel, ...(e.reason !== undefined && { reason: e.reason }) };
    case 'book':
      return { ...base, tokenId: e.tokenId, bids: e.bids.map(([p, s]) => [f(p), f(s)]), asks: e.asks.map(([p, s]) => [f(p), f(s)]),
        ...(e.tickSize !== undefined && { tickSize: f(e.tickSize) }), ...(e.venueAt !== undefined && { venueAt: e.venueAt }) };
    case 'merge':
      return { ...base, marketId: e.marketId, tokens: [...e.tokens], amount: f(e.amount), status: e.status, ...(e.txHash !== undefined && { txHash: e.txHash }) };
    case 'book_delta':
      return { ...base, tokenId: e.tokenId, changes: e.changes.map((c) => ({ side: c.side, price: f(c.price), size: f(c.size) })),
        ...(e.tickSize !== undefined && { tickSize: f(e.tickSize) }), ...(e.venueAt !== undefined && { venueAt: e.venueAt }) };
  }
}
