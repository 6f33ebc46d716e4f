/**
 * The tape line form of inbound events (tape-format.md) — the public contract that the ledger
 * stores, `ledger export` writes and `replay` reads. Decoding validates every field and names it.
 */
import { z } from 'zod';
import { formatMicros, parseMicros, parseNonNegativeMicros, type Micros } from './amounts.ts';
import type { InboundEvent } from './events.ts';

const tokenId = z.string().regex(/^\d{1,78}$/, 'a decimal uint256 string');
const amount = z.union([z.string(), z.number()]);
const side = z.enum(['BUY', 'SELL']);
const at = z.union([z.string(), z.number()]);
const venueAt = z.number().int().nonnegative().optional();

const lineSchemas = {
  fill: z.strictObject({
    at, kind: z.literal('fill'),
    tradeId: z.string().min(1).optional(), orderId: z.string().min(1).optional(),
    tokenId, side, size: amount, price: amount,
    status: z.enum(['MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED']).optional(), venueAt,
  }),
  submit: z.strictObject({ at, kind: z.literal('submit'), orderId: z.string().min(1), tokenId, side, price: amount, size: amount }),
  cancel: z.strictObject({ at, kind: z.literal('cancel'), orderId: z.string().min(1) }),
  order: z.strictObject({
    at, kind: z.literal('order'), orderId: z.string().min(1), tokenId: tokenId.optional(), side: side.optional(),
    status: z.enum(['LIVE', 'DELAYED', 'MATCHED', 'CANCELED', 'EXPIRED', 'REJECTED', 'INVALID', 'UNMATCHED']),
    originalSize: amount.optional(), sizeMatched: amount.optional(), price: amount.optional(), reason: z.string().max(500).optional(), venueAt,
  }),
  balance: z.strictObject({
    at, kind: z.literal('balance'), source: z.enum(['chain', 'rest']),
    balances: z.record(tokenId, amount), block: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).optional(),
    degraded: z.boolean().optional(), collateral: amount.optional(),
  }),
  source_error: z.strictObject({ at, kind: z.literal('source_error'), source: z.string().min(1), error: z.string() }),
  connection: z.strictObject({ at, kind: z.literal('connection'), channel: z.enum(['user', 'market']), state: z.enum(['connected', 'disconnected']) }),
  gap: z.strictObject({ at, kind: z.literal('gap'), channel: z.enum(['user', 'market']), reason: z.string().optional() }),
  book: z.strictObject({
    at, kind: z.literal('book'), tokenId,
    bids: z.array(z.tuple([amount, amount])), asks: z.array(z.tuple([amount, amount])), tickSize: amount.optional(), venueAt,
  }),
  merge: z.strictObject({
    at, kind: z.literal('merge'), marketId: z.string().min(1).max(200), tokens: z.tuple([tokenId, tokenId]), amount,
    status: z.enum(['sent', 'failed']), txHash: z.string().max(200).optional(),
  }),
  book_delta: z.strictObject({
    at, kind: z.literal('book_delta'), tokenId,
    changes: z.array(z.strictObject({ side, price: amount, size: amount })), tickSize: amount.optional(), venueAt,
  }),
} as const;

export type EventLineKind = keyof typeof lineSchemas;
export const EVENT_LINE_KINDS = Object.keys(lineSchemas) as EventLineKind[];
const EVENT_KIND_SET: ReadonlySet<string> = new Set(EVENT_LINE_KINDS);

/** Whether a tape `kind` is an inbound event (as opposed to `advance`, `query`, raw frames). */
export function isEventLineKind(kind: unknown): kind is EventLineKind {
  return typeof kind === 'string' && EVENT_KIND_SET.has(kind);
}

/** Parses the `at` field: ISO-8601 UTC string or epoch milliseconds. */
export function parseAt(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (/^\d{4}-\d\d-\d\dT/.test(value) && Number.isFinite(ms)) return ms;
  }
  throw new Error(`expected an ISO-8601 time or epoch milliseconds, got ${JSON.stringify(value)} at ${where}`);
}

/** Decodes one event line object (already JSON-parsed). Throws an Error naming the field. */
export function decodeEventLine(obj: Record<string, unknown>): InboundEvent {
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
  const m = (v: unknown, f: string): Micros => parseNonNegativeMicros(v, f);
  switch (kind) {
    case 'fill':
      return {
        type: 'fill', at: t, tokenId: l.tokenId, side: l.side, size: m(l.size, 'size'), price: m(l.price, 'price'),
        status: l.status ?? 'MATCHED',
        ...(l.tradeId !== undefined && { tradeId: l.tradeId }), ...(l.orderId !== undefined && { orderId: l.orderId }),
        ...(l.venueAt !== undefined && { venueAt: l.venueAt }),
      };
    case 'submit':
      return { type: 'submit', at: t, orderId: l.orderId, tokenId: l.tokenId, side: l.side, price: m(l.price, 'price'), size: m(l.size, 'size') };
    case 'cancel':
      return { type: 'cancel', at: t, orderId: l.orderId };
    case 'order':
      return {
        type: 'order', at: t, orderId: l.orderId, status: l.status,
        ...(l.tokenId !== undefined && { tokenId: l.tokenId }), ...(l.side !== undefined && { side: l.side }),
        ...(l.originalSize !== undefined && { originalSize: m(l.originalSize, 'originalSize') }),
        ...(l.sizeMatched !== undefined && { sizeMatched: m(l.sizeMatched, 'sizeMatched') }),
        ...(l.price !== undefined && { price: m(l.price, 'price') }), ...(l.reason !== undefined && { reason: l.reason }),
        ...(l.venueAt !== undefined && { venueAt: l.venueAt }),
      };
    case 'balance': {
      const balances = new Map<string, Micros>();
      for (const [k, v] of Object.entries(l.balances as Record<string, unknown>)) balances.set(k, parseMicros(v, `balances.${k}`));
      return {
        type: 'balance', at: t, source: l.source, balances,
        ...(l.block !== undefined && { block: BigInt(l.block) }), ...(l.degraded !== undefined && { degraded: l.degraded }),
        ...(l.collateral !== undefined && { collateral: m(l.collateral, 'collateral') }),
      };
    }
    case 'source_error':
      return { type: 'source_error', at: t, source: l.source, error: l.error };
    case 'connection':
      return { type: 'connection', at: t, channel: l.channel, state: l.state };
    case 'gap':
      return { type: 'gap', at: t, channel: l.channel, ...(l.reason !== undefined && { reason: l.reason }) };
    case 'book': {
      const lv = (arr: [unknown, unknown][], f: string) => arr.map(([p, s], i) => [m(p, `${f}.${i}.0`), m(s, `${f}.${i}.1`)] as const);
      return {
        type: 'book', at: t, tokenId: l.tokenId, bids: lv(l.bids, 'bids'), asks: lv(l.asks, 'asks'),
        ...(l.tickSize !== undefined && { tickSize: m(l.tickSize, 'tickSize') }), ...(l.venueAt !== undefined && { venueAt: l.venueAt }),
      };
    }
    case 'merge':
      return {
        type: 'merge', at: t, marketId: l.marketId, tokens: [l.tokens[0], l.tokens[1]], amount: m(l.amount, 'amount'), status: l.status,
        ...(l.txHash !== undefined && { txHash: l.txHash }),
      };
    case 'book_delta': {
      const changes = (l.changes as { side: 'BUY' | 'SELL'; price: unknown; size: unknown }[]).map((c, i) => ({
        side: c.side, price: m(c.price, `changes.${i}.price`), size: m(c.size, `changes.${i}.size`),
      }));
      return {
        type: 'book_delta', at: t, tokenId: l.tokenId, changes,
        ...(l.tickSize !== undefined && { tickSize: m(l.tickSize, 'tickSize') }), ...(l.venueAt !== undefined && { venueAt: l.venueAt }),
      };
    }
  }
}

/** Encodes an event as its tape line object (amounts as exact decimal strings, `at` as ISO). */
export function encodeEventLine(e: InboundEvent): Record<string, unknown> {
  const base: Record<string, unknown> = { at: new Date(e.at).toISOString(), kind: e.type };
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
