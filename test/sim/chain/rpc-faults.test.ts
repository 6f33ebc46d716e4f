import { describe, expect, it } from 'vitest';
import { PolyquoteError } from '../../../core/errors.ts';
import { decideFault, planFaults, seededRandom, validateFaults } from '../../../sim/chain/rpc-faults.ts';

describe('seeded fault planning', () => {
  it('gives the same decisions for the same seed and different ones for another seed', () => {
    const f = { errorRate: 0.3, stallRate: 0.2, stallMs: 50 };
    expect(planFaults(42, f, 200)).toEqual(planFaults(42, f, 200));
    expect(planFaults(42, f, 200)).not.toEqual(planFaults(43, f, 200));
  });

  it('injects nothing at rate 0 and everything at rate 1', () => {
    expect(planFaults(7, {}, 100).every((d) => d.error === 'none' && d.stallMs === 0)).toBe(true);
    const all = planFaults(7, { errorRate: 1, stallRate: 1, stallMs: 25 }, 100);
    expect(all.every((d) => d.error !== 'none' && d.stallMs === 25)).toBe(true);
  });

  it('hits roughly the configured rates and splits errors between -32603 and HTTP 503', () => {
    const d = planFaults(1, { errorRate: 0.25, stallRate: 0.1 }, 4000);
    const errors = d.filter((x) => x.error !== 'none').length / d.length;
    const stalls = d.filter((x) => x.stallMs > 0).length / d.length;
    const rpc = d.filter((x) => x.error === 'rpc-error').length;
    expect(errors).toBeGreaterThan(0.22);
    expect(errors).toBeLessThan(0.28);
    expect(stalls).toBeGreaterThan(0.08);
    expect(stalls).toBeLessThan(0.12);
    expect(rpc / d.filter((x) => x.error !== 'none').length).toBeGreaterThan(0.4);
    expect(rpc / d.filter((x) => x.error !== 'none').length).toBeLessThan(0.6);
    expect(d.find((x) => x.stallMs > 0)?.stallMs).toBe(500);
  });

  it('consumes three draws per request whatever the rates, so raising the stall rate leaves the errors alone', () => {
    const a = planFaults(9, { errorRate: 0.3 }, 300).map((d) => d.error);
    const b = planFaults(9, { errorRate: 0.3, stallRate: 0.9 }, 300).map((d) => d.error);
    expect(b).toEqual(a);
    const next = seededRandom(9);
    const f = validateFaults({});
    decideFault(next, f);
    const fresh = seededRandom(9);
    fresh(); fresh(); fresh();
    expect(next()).toBe(fresh());
  });

  it('draws uniformly in [0, 1)', () => {
    const next = seededRandom(123);
    const xs = Array.from({ length: 10_000 }, next);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.02);
  });

  it.each([
    { faults: { errorRate: 1.5 }, message: 'expected a number in 0..1 at faults.errorRate, got 1.5' },
    { faults: { stallRate: -0.1 }, message: 'at faults.stallRate, got -0.1' },
    { faults: { errorRate: Number.NaN }, message: 'got NaN' },
    { faults: { stallMs: 60_001 }, message: 'in 0..60000 at faults.stallMs, got 60001' },
    { faults: { stallMs: 1.5 }, message: 'at faults.stallMs, got 1.5' },
  ])('refuses $faults with a message naming the field', ({ faults, message }) => {
    let err: unknown;
    try {
      validateFaults(faults);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolyquoteError);
    expect((err as PolyquoteError).code).toBe('SIM_CHAIN_FAULTS_INVALID');
    expect((err as Error).message).toContain(message);
  });
});
