/**
 * The engine's ledger encoder (core/tape-json.ts) must write exactly what JSON.stringify of the tape
 * line object writes: same keys, order and escapes. Held to it over random events of every kind, with
 * strings full of quotes, control characters, lone surrogates and non-ASCII text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../core/events.ts';
import { parseMicros } from '../../core/amounts.ts';
import { isoTime } from '../../core/iso-time.ts';
import { canonicalTokenId } from '../../plugins/venue/polymarket/feeds/fields.ts';
import { decodeEventLine, encodeEventLine } from '../../core/tape-codec.ts';
import { encodeEventJson, jsonString } from '../../core/tape-json.ts';

const MIN_AT = Date.UTC(2000, 0, 1);
const MAX_AT = Date.UTC(2100, 0, 1);
const at = fc.integer({ min: MIN_AT, max: MAX_AT });
const str = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('a"b', 'back\\slash', '\u0000\u001f', '\ud800', 'x\udc00y', 'é€😀', ''));
const micros = fc.bigInt({ min: 0n, max: 10n ** 21n });
// Any micro-unit price, the feed's (on a 0.001 tick, written from a table) and a few past 1 (no table).
const price = fc.oneof(fc.bigInt({ min: 0n, max: 1_000_000n }), fc.integer({ min: 0, max: 1000 }).map((i) => BigInt(i * 1000)), fc.bigInt({ min: 1_000_001n, max: 2_000_000n }));
const side = fc.constantFrom('BUY', 'SELL') as fc.Arbitrary<'BUY' | 'SELL'>;
const opt = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const venueAt = opt(fc.integer({ min: 0, max: MAX_AT }));
const drop = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const event: fc.Arbitrary<InboundEvent> = fc.oneof(
  fc.record({ at, tradeId: opt(str), orderId: opt(str), tokenId: str, side, size: micros, price, status: fc.constantFrom('MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED'), venueAt })
    .map((r) => drop({ type: 'fill' as const, ...r }) as InboundEvent),
  fc.record({ at, orderId: str, tokenId: str, side, price, size: micros }).map((r) => ({ type: 'submit' as const, ...r })),
  fc.record({ at, orderId: str }).map((r) => ({ type: 'cancel' as const, ...r })),
  fc.record({ at, orderId: str, tokenId: opt(str), side: opt(side), status: fc.constantFrom('LIVE', 'MATCHED', 'CANCELED', 'DELAYED'), originalSize: opt(micros), sizeMatched: opt(micros), price: opt(price), reason: opt(str), venueAt })
    .map((r) => drop({ type: 'order' as const, ...r }) as InboundEvent),
  fc.record({ at, tokenId: str, changes: fc.array(fc.record({ side, price, size: micros }), { maxLength: 5 }), tickSize: opt(price), venueAt })
    .map((r) => drop({ type: 'book_delta' as const, ...r }) as InboundEvent),
  fc.record({ at, tokenId: str, bids: fc.array(fc.tuple(price, micros), { maxLength: 3 }), asks: fc.array(fc.tuple(price, micros), { maxLength: 3 }), tickSize: opt(price), venueAt })
    .map((r) => drop({ type: 'book' as const, ...r }) as InboundEvent),
  fc.record({ at, channel: fc.constantFrom('user', 'market'), state: fc.constantFrom('connected', 'disconnected') }).map((r) => ({ type: 'connection' as const, ...r }) as InboundEvent),
  // Token ids long and short: a short numeric key ("7") is ordered first by a JSON object, whatever the map's order.
  fc.record({
    at, source: fc.constantFrom('chain', 'rest'), balances: fc.array(fc.tuple(fc.oneof(str, fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }).map(String), fc.nat(99).map(String)), micros), { maxLength: 4 }),
    block: opt(fc.bigInt({ min: 0n, max: 2n ** 53n })), degraded: opt(fc.boolean()), collateral: opt(micros),
  }).map((r) => drop({ type: 'balance' as const, ...r, balances: new Map(r.balances) }) as InboundEvent),
);

describe('encodeEventJson', () => {
  it('writes exactly JSON.stringify(encodeEventLine(e)) for random events of every kind', () => {
    fc.assert(
      fc.property(event, (e) => {
        expect(encodeEventJson(e)).toBe(JSON.stringify(encodeEventLine(e)));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives text that decodes back to the same event', () => {
    const e: InboundEvent = { type: 'fill', at: Date.UTC(2026, 11, 1, 9, 5, 7, 42), tradeId: 't"1', orderId: '0xab', tokenId: '123', side: 'BUY', size: 25_000_000n, price: 450_000n, status: 'MATCHED', venueAt: 5 };
    const text = encodeEventJson(e);
    expect(text).toBe('{"at":"2026-12-01T09:05:07.042Z","kind":"fill","tradeId":"t\\"1","orderId":"0xab","tokenId":"123","side":"BUY","size":"25","price":"0.45","status":"MATCHED","venueAt":5}');
    expect(decodeEventLine(JSON.parse(text) as Record<string, unknown>)).toEqual(e);
  });
});

describe('isoTime', () => {
  it('equals Date.toISOString across days, years and the epoch', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
    for (const ms of [0, -1, 86_399_999, 86_400_000, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2024, 2, 1)]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});

describe('jsonString', () => {
  it('escapes as JSON.stringify does', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      expect(jsonString(s)).toBe(JSON.stringify(s));
    }), { numRuns: 3000 });
  });
});

describe('the plain-spelling fast paths of the feed readers', () => {
  // A leading space sends the same text down the general path (it trims): both must agree exactly.
  it('parseMicros gives what the general parser gives, for every plain decimal', () => {
    const plain = fc.tuple(fc.stringMatching(/^\d{1,18}$/), fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined }))
      .map(([w, f]) => (f === undefined ? w : `${w}.${f}`));
    fc.assert(fc.property(plain, (s) => {
      expect(parseMicros(s, 'x')).toBe(parseMicros(` ${s}`, 'x'));
    }), { numRuns: 5000 });
    expect(parseMicros('0.45', 'x')).toBe(450_000n);
    expect(parseMicros('007.000001', 'x')).toBe(7_000_001n);
    expect(parseMicros('100.0', 'x')).toBe(100_000_000n);
  });

  it('canonicalTokenId passes canonical ids through and still canonicalises or refuses the rest', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (n) => {
      expect(canonicalTokenId(n.toString(), 'x')).toBe(n.toString());
      expect(canonicalTokenId(`00${n}`, 'x')).toBe(n.toString());
    }), { numRuns: 2000 });
    expect(() => canonicalTokenId((1n << 256n).toString(), 'x')).toThrow(/uint256/);
    expect(() => canonicalTokenId('9'.repeat(78), 'x')).toThrow(/uint256/);
    expect(canonicalTokenId('9'.repeat(77), 'x')).toBe('9'.repeat(77));
  });
});
