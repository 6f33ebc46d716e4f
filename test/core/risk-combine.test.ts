import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combine, NORMAL, sameDecision, type RiskDecision, type RiskVerdict } from '../../core/risk/decision.ts';

describe('combine', () => {
  it.each<{ description: string; verdicts: (RiskVerdict | undefined)[]; start?: RiskDecision; expected: RiskDecision }>([
    { description: 'no verdicts is normal', verdicts: [], expected: NORMAL },
    { description: 'empty and undefined verdicts impose nothing', verdicts: [{}, undefined, {}], expected: NORMAL },
    {
      description: 'the worst mode wins',
      verdicts: [{ mode: 'normal' }, { mode: 'degraded', reasons: ['DRIFT'] }, { mode: 'normal' }],
      expected: { ...NORMAL, mode: 'degraded', reasons: ['DRIFT'] },
    },
    {
      description: 'the smallest size multiplier wins',
      verdicts: [{ sizeMultiplier: 0.5 }, { sizeMultiplier: 0.25 }, { sizeMultiplier: 0.75 }],
      expected: { ...NORMAL, sizeMultiplier: 0.25 },
    },
    {
      description: 'allowed sides are intersected',
      verdicts: [{ allowedSides: ['BUY', 'SELL'] }, { allowedSides: ['SELL'] }],
      expected: { ...NORMAL, allowedSides: ['SELL'] },
    },
    {
      description: 'disjoint allowed sides leave no side',
      verdicts: [{ allowedSides: ['BUY'] }, { allowedSides: ['SELL'] }],
      expected: { ...NORMAL, allowedSides: [] },
    },
    {
      description: 'the largest extra ticks win',
      verdicts: [{ extraTicks: 1 }, { extraTicks: 3 }, { extraTicks: 2 }],
      expected: { ...NORMAL, extraTicks: 3 },
    },
    {
      description: 'reasons are the sorted union without duplicates',
      verdicts: [{ reasons: ['LIMIT_REACHED', 'DRIFT'] }, { reasons: ['DRIFT', 'SOURCE_FALLBACK'] }],
      expected: { ...NORMAL, reasons: ['DRIFT', 'LIMIT_REACHED', 'SOURCE_FALLBACK'] },
    },
    {
      description: 'halted beats degraded and allows no side with a zero multiplier',
      verdicts: [
        { mode: 'degraded', reasons: ['DRIFT'], sizeMultiplier: 0.5, allowedSides: ['SELL'], extraTicks: 1 },
        { mode: 'halted', reasons: ['SOURCE_UNAVAILABLE'] },
      ],
      expected: { mode: 'halted', reasons: ['DRIFT', 'SOURCE_UNAVAILABLE'], sizeMultiplier: 0, allowedSides: [], extraTicks: 1 },
    },
    {
      description: 'a start decision is the floor the verdicts combine onto',
      verdicts: [{ mode: 'normal', sizeMultiplier: 0.8, allowedSides: ['BUY', 'SELL'] }],
      start: { mode: 'degraded', reasons: ['SOURCE_FALLBACK'], sizeMultiplier: 0.5, allowedSides: ['BUY', 'SELL'], extraTicks: 1 },
      expected: { mode: 'degraded', reasons: ['SOURCE_FALLBACK'], sizeMultiplier: 0.5, allowedSides: ['BUY', 'SELL'], extraTicks: 1 },
    },
    {
      description: 'a halted start stays halted whatever the verdicts say',
      verdicts: [{ mode: 'normal', allowedSides: ['BUY', 'SELL'] }],
      start: { mode: 'halted', reasons: ['LEDGER_FAILED'], sizeMultiplier: 0, allowedSides: [], extraTicks: 0 },
      expected: { mode: 'halted', reasons: ['LEDGER_FAILED'], sizeMultiplier: 0, allowedSides: [], extraTicks: 0 },
    },
  ])('$description', ({ verdicts, start, expected }) => {
    expect(combine(verdicts, start)).toEqual(expected);
  });

  it('is order-independent', () => {
    const vs: RiskVerdict[] = [
      { mode: 'degraded', reasons: ['B'], sizeMultiplier: 0.5, allowedSides: ['SELL'] },
      { reasons: ['A'], extraTicks: 2 },
      { sizeMultiplier: 0.9, allowedSides: ['BUY', 'SELL'] },
    ];
    expect(sameDecision(combine(vs), combine([...vs].reverse()))).toBe(true);
  });

  it('sameDecision tells decisions apart by every field', () => {
    const base = combine([{ mode: 'degraded', reasons: ['DRIFT'], sizeMultiplier: 0.5, allowedSides: ['SELL'], extraTicks: 1 }]);
    expect(sameDecision(base, { ...base })).toBe(true);
    for (const change of [{ mode: 'halted' }, { reasons: ['X'] }, { sizeMultiplier: 0.4 }, { allowedSides: ['BUY'] }, { extraTicks: 2 }] as Partial<RiskDecision>[]) {
      expect(sameDecision(base, { ...base, ...change })).toBe(false);
    }
  });

  it('gives what the obvious set-based combination gives, over random verdicts and starts', () => {
    /** The definition, written with sets (an empty reasons list imposes nothing; an empty sides list allows no side): worst mode, min multiplier, intersected sides, max ticks, sorted union of reasons. */
    const reference = (vs: readonly (RiskVerdict | undefined)[], start: RiskDecision): RiskDecision => {
      // Nothing imposed: the start decision as it is.
      if (vs.every((v) => !v || Object.values(v).every((x) => x === undefined || (Array.isArray(x) && x.length === 0 && x !== v.allowedSides)))) return start;
      const rank = { normal: 0, degraded: 1, halted: 2 } as const;
      let mode = start.mode;
      let mult = start.sizeMultiplier;
      let sides = new Set(start.allowedSides);
      let ticks = start.extraTicks;
      const reasons = new Set(start.reasons);
      for (const v of vs) {
        if (!v) continue;
        if (v.mode && rank[v.mode] > rank[mode]) mode = v.mode;
        if (v.sizeMultiplier !== undefined) mult = Math.min(mult, v.sizeMultiplier);
        if (v.allowedSides) sides = new Set([...sides].filter((x) => v.allowedSides!.includes(x)));
        if (v.extraTicks !== undefined) ticks = Math.max(ticks, v.extraTicks);
        for (const r of v.reasons ?? []) reasons.add(r);
      }
      if (mode === 'halted') {
        sides = new Set();
        mult = 0;
      }
      return { mode, reasons: [...reasons].sort(), sizeMultiplier: mult, allowedSides: (['BUY', 'SELL'] as const).filter((x) => sides.has(x)), extraTicks: ticks };
    };
    const mode = fc.constantFrom('normal', 'degraded', 'halted') as fc.Arbitrary<RiskDecision['mode']>;
    const sides = fc.subarray(['BUY', 'SELL'] as const);
    const reasons = fc.array(fc.constantFrom('DRIFT', 'SOURCE_FALLBACK', 'GAP', 'A', 'B'), { maxLength: 4 });
    const verdict = fc.option(fc.record({
      mode, reasons, sizeMultiplier: fc.double({ min: 0, max: 1, noNaN: true }), allowedSides: sides, extraTicks: fc.integer({ min: 0, max: 5 }),
    }, { requiredKeys: [] }), { nil: undefined });
    const start = fc.option(fc.record({ mode, reasons: reasons.map((r) => [...new Set(r)].sort()), sizeMultiplier: fc.double({ min: 0, max: 1, noNaN: true }), allowedSides: sides, extraTicks: fc.integer({ min: 0, max: 5 }) }), { nil: undefined });
    fc.assert(fc.property(fc.array(verdict, { maxLength: 5 }), start, (vs, s) => {
      const got = combine(vs, s ?? NORMAL);
      const want = reference(vs, s ?? NORMAL);
      expect(got).toEqual(want);
      expect(sameDecision(got, want)).toBe(true);
    }), { numRuns: 5000 });
  });
});
