/**
 * The hot paths that skip work for the common case must give exactly what the general code gives:
 * short plain amounts parsed in doubles, amounts formatted in doubles, book levels that arrive
 * ordered kept without a sort. Each is held to a reference written the slow, obvious way.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMicros, mulMicros, parseMicros, shortPlainMicros } from '../../core/amounts.ts';
import type { BookLevel, BookUpdated } from '../../core/events.ts';
import { bookFromSnapshot } from '../../core/market/book.ts';
import { optTimestampMs } from '../../plugins/venue/polymarket/feeds/fields.ts';
import { parseMarketFrame } from '../../plugins/venue/polymarket/feeds/market-channel.ts';

/** The obvious formatter: bigint division, padded decimals, trailing zeros cut. */
function referenceFormat(m: bigint): string {
  const neg = m < 0n;
  const abs = neg ? -m : m;
  const frac = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${abs / 1_000_000n}${frac ? `.${frac}` : ''}`;
}

/** The obvious book cleaning: the last size of a price wins, zero sizes go, best first. */
function referenceLevels(levels: readonly BookLevel[], desc: boolean): BookLevel[] {
  const m = new Map<bigint, bigint>();
  for (const [p, s] of levels) m.set(p, s);
  return [...m].filter(([, s]) => s > 0n).sort((a, b) => (desc ? (a[0] > b[0] ? -1 : 1) : a[0] < b[0] ? -1 : 1)) as BookLevel[];
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

describe('shortPlainMicros', () => {
  it('gives what the general parser gives for every plain spelling, or leaves it to it', () => {
    const spelling = fc.tuple(fc.stringMatching(/^\d{1,18}$/), fc.option(fc.stringMatching(/^\d{1,7}$/), { nil: undefined }))
      .map(([w, f]) => (f === undefined ? w : `${w}.${f}`));
    fc.assert(fc.property(spelling, (s) => {
      const short = shortPlainMicros(s);
      if (short !== undefined) expect(short).toBe(parseMicros(` ${s}`, 'x'));
      // What it leaves is either long (the BigInt path) or not a plain amount at all.
      else expect(s.replace('.', '').length > 15 || /\.\d{7}/.test(s) || parseMicros(` ${s}`, 'x') > SAFE).toBe(true);
    }), { numRuns: 10_000 });
  });

  it.each([
    ['0.45', 450_000n], ['100.0', 100_000_000n], ['007', 7_000_000n], ['0.000001', 1n], ['999999999.999999', 999_999_999_999_999n],
    ['900719925.474099', 900_719_925_474_099n], ['9007199254', 9_007_199_254_000_000n],
  ])('reads %s', (s, want) => {
    expect(shortPlainMicros(s)).toBe(want);
  });

  it.each(['', '.5', '5.', '-1', '+1', '1e3', ' 1', '1 ', '0x10', '1.2.3', '1,5', '0.0000001', '1234567890123456', '9007199254.740992', '9007199255', '123456789012345', '١', 'NaN'])('leaves %j to the general path', (s) => {
    expect(shortPlainMicros(s)).toBeUndefined();
  });

  it('reads only strings', () => {
    for (const v of [5, 5n, null, undefined, {}, ['5']]) expect(shortPlainMicros(v)).toBeUndefined();
  });

  it('reads every price on a 0.001 tick (given from a table) as the general parser does, in every spelling', () => {
    for (let i = 0; i <= 1000; i++) {
      const whole = Math.floor(i / 1000);
      const frac = String(i % 1000).padStart(3, '0');
      for (const s of [`${whole}.${frac}`, `${whole}.${frac}000`, `${whole}.${frac.replace(/0+$/, '') || '0'}`]) expect(shortPlainMicros(s)).toBe(parseMicros(` ${s}`, 'x'));
    }
  });
});

/** The obvious product: bigint only, half away from zero. */
function referenceMul(a: bigint, b: bigint): bigint {
  const p = a * b;
  const q = (p < 0n ? -p : p) / 1_000_000n;
  const r = (p < 0n ? -p : p) % 1_000_000n;
  const rounded = r >= 500_000n ? q + 1n : q;
  return p < 0n ? -rounded : rounded;
}

describe('mulMicros', () => {
  it('gives the bigint product, rounded half away from zero, for products on both sides of 2^53', () => {
    // Sizes and prices as the feed has them, and factors whose product lands next to 2^53.
    const factor = fc.oneof(
      fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
      fc.bigInt({ min: 0n, max: 1_000_000n }),
      fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }),
    );
    const nearLimit = fc.tuple(fc.bigInt({ min: 1n, max: 2n ** 27n }), fc.bigInt({ min: -3n, max: 3n }), fc.boolean()).map(([a, d, neg]) => {
      const b = (2n ** 53n + d) / a + (d > 0n ? 1n : 0n);
      return [a, neg ? -b : b] as const;
    });
    fc.assert(fc.property(fc.oneof(fc.tuple(factor, factor), nearLimit), ([a, b]) => {
      expect(mulMicros(a, b)).toBe(referenceMul(a, b));
    }), { numRuns: 20_000 });
  });

  it.each([
    [1_500_000n, 333_333n, 500_000n], [1n, 500_000n, 1n], [1n, 499_999n, 0n], [-1n, 500_000n, -1n], [-1n, 499_999n, 0n],
    [94_906_265n, 94_906_266n, 9_007_199_231n], [94_906_266n, 94_906_266n, 9_007_199_326n], [94_906_267n, -94_906_267n, -9_007_199_516n],
    // Just above 2^53, where a double would round the product 9007199255499999 up to …500000 (and so the quotient up).
    [3n, 3_002_399_751_833_333n, 9_007_199_255n], [-3n, 3_002_399_751_833_333n, -9_007_199_255n], [2n ** 53n, 1n, 9_007_199_255n], [-(2n ** 62n), 3n, -13_835_058_055_282n],
  ])('%s × %s → %s', (a, b, want) => {
    expect(mulMicros(a, b)).toBe(want);
    expect(referenceMul(a, b)).toBe(want);
  });
});

describe('formatMicros', () => {
  it('writes every price on a 0.001 tick from its table as the bigint formatter would', () => {
    for (let i = 0; i <= 1000; i++) expect(formatMicros(BigInt(i * 1000))).toBe(referenceFormat(BigInt(i * 1000)));
    // Next to the table: off the 0.001 grid, negative, and past 1.
    for (const m of [1n, 999n, 1_001n, 999_999n, 1_000_001n, 1_001_000n, -1_000n, -1_000_000n]) expect(formatMicros(m)).toBe(referenceFormat(m));
  });

  it('writes what the bigint formatter writes, on both sides of 2^53 micros', () => {
    const around = fc.oneof(
      fc.bigInt({ min: -SAFE, max: SAFE }),
      fc.bigInt({ min: SAFE - 3_000_000n, max: SAFE + 3_000_000n }),
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
      fc.integer({ min: 0, max: 100_000 }).map((c) => BigInt(c) * 10_000n),
      fc.integer({ min: -1_000_000, max: 1_000_000 }).map(BigInt),
    );
    fc.assert(fc.property(around, (m) => {
      expect(formatMicros(m)).toBe(referenceFormat(m));
    }), { numRuns: 20_000 });
  });

  it.each([[0n, '0'], [-1n, '-0.000001'], [480_000n, '0.48'], [100_000n, '0.1'], [50_000n, '0.05'], [-5_000_000n, '-5'], [SAFE, '9007199254.740991'], [SAFE + 1n, '9007199254.740992']])('formats %s as %s', (m, want) => {
    expect(formatMicros(m)).toBe(want);
  });
});

describe('book levels', () => {
  const level = fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 5 }));
  const levels = fc.oneof(
    fc.array(level, { maxLength: 12 }),
    // Strictly ordered either way (the venue's usual spellings), zero sizes sprinkled in.
    fc.uniqueArray(level, { selector: (l) => l[0], maxLength: 12 }).map((ls) => ls.sort((a, b) => a[0] - b[0])),
    fc.uniqueArray(level, { selector: (l) => l[0], maxLength: 12 }).map((ls) => ls.sort((a, b) => b[0] - a[0])),
  );
  const asLevels = (ls: [number, number][]): BookLevel[] => ls.map(([p, s]) => [BigInt(p) * 10_000n, BigInt(s) * 1_000_000n]);

  it('the snapshot parser gives the sorted, de-duplicated levels whatever order they came in', () => {
    fc.assert(fc.property(levels, levels, (bids, asks) => {
      const text = (ls: [number, number][]) => ls.map(([p, s]) => ({ price: (p / 100).toFixed(2), size: String(s) }));
      const frame = JSON.stringify({ event_type: 'book', asset_id: '7', bids: text(bids), asks: text(asks), timestamp: '1700000000000' });
      const r = parseMarketFrame(frame, 1);
      expect(r.problems).toEqual([]);
      const e = r.events[0] as BookUpdated;
      expect(e.bids).toEqual(referenceLevels(asLevels(bids), true));
      expect(e.asks).toEqual(referenceLevels(asLevels(asks), false));
    }), { numRuns: 3000 });
  });

  it('the engine book takes any snapshot to the same sorted levels, and keeps clean ones as they are', () => {
    fc.assert(fc.property(levels, levels, (bids, asks) => {
      const e: BookUpdated = { type: 'book', at: 1, tokenId: '7', bids: asLevels(bids), asks: asLevels(asks) };
      const b = bookFromSnapshot(e);
      expect(b.bids).toEqual(referenceLevels(e.bids, true));
      expect(b.asks).toEqual(referenceLevels(e.asks, false));
      const clean = bookFromSnapshot({ ...e, bids: b.bids, asks: b.asks });
      expect(clean.bids).toBe(b.bids);
      expect(clean.asks).toBe(b.asks);
    }), { numRuns: 3000 });
  });

  it('a level in another spelling still goes through the general readers', () => {
    const frame = JSON.stringify({ event_type: 'book', asset_id: '7', bids: [{ price: 0.45, size: 10 }, { price: '0.40', size: ' 3' }], asks: [{ price: '0.5', size: '12345678901234567.5' }] });
    const e = parseMarketFrame(frame, 1).events[0] as BookUpdated;
    expect(e.bids).toEqual([[450_000n, 10_000_000n], [400_000n, 3_000_000n]]);
    expect(e.asks).toEqual([[500_000n, 12_345_678_901_234_567_500_000n]]);
  });
});

describe('venue timestamps', () => {
  /** The general reading: 1–16 digits through Number (seconds below 1e11), an ISO date, else an error. */
  function reference(v: string): number | 'error' {
    if (/^\d{1,16}$/.test(v)) {
      const n = Number(v);
      return n < 1e11 ? n * 1000 : n;
    }
    if (/^\d{4}-\d{2}-\d{2}T/.test(v) && Number.isFinite(Date.parse(v))) return Date.parse(v);
    return 'error';
  }
  const read = (v: string) => {
    try {
      return optTimestampMs({ t: v }, 't', 'frame');
    } catch {
      return 'error';
    }
  };

  it('reads digit strings digit by digit exactly as the general reading does, at every length', () => {
    const spelling = fc.oneof(
      fc.stringMatching(/^\d{1,17}$/),
      fc.integer({ min: 0, max: 2 ** 52 }).map(String),
      fc.string({ unit: fc.constantFrom(...'0123456789', '/', ':', '.', ' ', '-', '+', 'e', 'x', '\u0660'), minLength: 1, maxLength: 17 }),
      fc.date({ min: new Date(0), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString()),
    );
    fc.assert(fc.property(spelling, (v) => {
      expect(read(v)).toBe(reference(v));
    }), { numRuns: 10_000 });
    for (const v of ['1767225600000', '1767225600', '99999999999', '100000000000', '999999999999999', '9999999999999999', '0', '007']) expect(read(v)).toBe(reference(v));
  });
});
