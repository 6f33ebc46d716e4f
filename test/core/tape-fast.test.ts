/**
 * The decoder's fast path for fill lines (core/tape-fast.ts) may only skip work: on every line it
 * either gives exactly what the schema decoder gives, or leaves the line to it. Held to that over
 * the encoder's own lines and over lines mutated in every field (other spellings, unknown keys,
 * values out of range, impossible dates), and it must take the encoder's ordinary lines itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FillReported } from '../../core/events.ts';
import { decodeEventLine, decodeLineWithSchema } from '../../core/tape-codec.ts';
import { canonicalAt, decodeCanonicalFill } from '../../core/tape-fast.ts';
import { encodeEventJson } from '../../core/tape-json.ts';

type Line = Record<string, unknown>;
const MAX_AT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const opt = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const tokenId = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 77n - 1n }), fc.bigInt({ min: 0n, max: (1n << 256n) - 1n })).map(String);
const fill: fc.Arbitrary<FillReported> = fc.record({
  at: fc.integer({ min: 0, max: MAX_AT }), tradeId: opt(fc.string({ minLength: 1, maxLength: 40 })), orderId: opt(fc.string({ minLength: 1, maxLength: 70 })), tokenId,
  side: fc.constantFrom('BUY', 'SELL'), size: fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.bigInt({ min: 0n, max: 10n ** 21n })), price: fc.bigInt({ min: 0n, max: 1_000_000n }),
  status: fc.constantFrom('MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED'), venueAt: opt(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
}).map((r) => Object.fromEntries(Object.entries({ type: 'fill', ...r }).filter(([, v]) => v !== undefined)) as unknown as FillReported);

const lineOf = (f: FillReported): Line => JSON.parse(encodeEventJson(f)) as Line;

/** What the schema decoder makes of a line: the event, or that it refuses it. */
function schema(line: Line): { ok: true; event: unknown } | { ok: false } {
  try {
    return { ok: true, event: decodeLineWithSchema(line) };
  } catch {
    return { ok: false };
  }
}

const oddValue = fc.oneof(
  fc.constantFrom<unknown>(
    undefined, null, '', ' 1', '1 ', '-1', '+1', '1e3', '0.0000001', '1.5', '2', '1000000000000000000000.1', 0, 1, -1, 0.5, 1.5, 2 ** 53, 1e300, true, [], {},
    'BUY', 'buy', 'SELL ', 'MATCHED', 'matched', 'PENDING', '007', '0', '2026-02-30T00:00:00.000Z', '2026-01-01T00:00:00.000+00:00', '2026-01-01T24:00:00.000Z',
    '2026-01-01T00:00:00Z', '2026-01-01 00:00:00.000Z', '0050-06-01T12:00:00.000Z', '+012026-01-01T00:00:00.000Z', 'x'.repeat(201), '1'.repeat(78), '9'.repeat(78),
  ),
  fc.string(), fc.integer(), fc.double(),
);
const key = fc.constantFrom('at', 'kind', 'tradeId', 'orderId', 'tokenId', 'side', 'size', 'price', 'status', 'venueAt', 'extra', '__proto__');

describe('decodeCanonicalFill', () => {
  it('takes the encoder\'s fill lines itself and gives the schema decoder\'s event', () => {
    fc.assert(fc.property(fill, (f) => {
      const line = lineOf(f);
      const fast = decodeCanonicalFill(line);
      const want = decodeLineWithSchema(line);
      expect(want).toEqual(f);
      // Only the rare spelling it leaves: an amount of 16 digits or more.
      const rare = (line.size as string).replace('.', '').length > 15 || (line.price as string).replace('.', '').length > 15;
      if (!rare) expect(fast).toBeDefined();
      if (fast !== undefined) {
        expect(fast).toEqual(want);
        expect(Object.keys(fast)).toEqual(Object.keys(want));
      }
    }), { numRuns: 5000 });
  });

  it('on a line changed in any field, gives the schema decoder\'s event or leaves the line to it', () => {
    const mutated = fc.tuple(fill, fc.array(fc.tuple(key, oddValue), { minLength: 1, maxLength: 3 })).map(([f, changes]) => {
      const line: Line = lineOf(f);
      for (const [k, v] of changes) {
        if (v === undefined) delete line[k];
        else Object.defineProperty(line, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return line;
    });
    let taken = 0;
    fc.assert(fc.property(mutated, (line) => {
      const fast = decodeCanonicalFill(line);
      const want = schema(line);
      if (fast !== undefined) {
        taken++;
        expect(want).toEqual({ ok: true, event: fast });
      }
      // decodeEventLine is the two together: it refuses exactly what the schema refuses.
      if (!want.ok) expect(() => decodeEventLine(line)).toThrow();
      else expect(decodeEventLine(line)).toEqual(want.event);
    }), { numRuns: 10_000 });
    // Some mutations keep a canonical line (a new trade id, another status): the fast path saw those.
    expect(taken).toBeGreaterThan(100);
  });

  it.each([
    ['2026-12-01T09:05:07.042Z', Date.UTC(2026, 11, 1, 9, 5, 7, 42)], ['1970-01-01T00:00:00.000Z', 0], ['2024-02-29T23:59:59.999Z', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
  ])('reads the encoder\'s time %s', (text, ms) => {
    expect(canonicalAt(text)).toBe(ms);
  });

  it.each(['2026-02-30T00:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-01-01T00:00:60.000Z', '2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00Z', '2026-01-01t00:00:00.000Z', 1_700_000_000_000])('leaves %j to the schema decoder', (v) => {
    expect(canonicalAt(v)).toBeUndefined();
  });
});
