/** Pure helpers of the incident report: escaping, ticks, step paths, downsampling, bands, time in modes. */
import { describe, expect, it } from 'vitest';
import { bands, thin, timeInModes } from '../../../ops/report/render.ts';
import { downsample, esc, linear, niceTicks, stepPath, timeTicks } from '../../../ops/report/svg.ts';

describe('report helpers', () => {
  it('escapes everything that could break out of HTML or an attribute', () => {
    expect(esc(`<script>"x"&'y'</script>`)).toBe('&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;');
  });
  it.each([
    [0, 100, [0, 20, 40, 60, 80, 100]],
    [0, 7, [0, 2, 4, 6]],
    [-3, 12, [0, 5, 10]],
    [5, 5, [5]],
  ])('niceTicks(%d, %d)', (lo, hi, want) => {
    expect(niceTicks(lo, hi)).toEqual(want);
  });
  it('puts time ticks on round UTC units', () => {
    const t0 = Date.parse('2026-01-01T00:00:03.000Z');
    expect(timeTicks(t0, t0 + 20_000).map((v) => new Date(v).toISOString().slice(11, 19))).toEqual(['00:00:05', '00:00:10', '00:00:15', '00:00:20']);
    const h = timeTicks(t0, t0 + 8.5 * 3_600_000);
    expect(h.every((v) => v % 3_600_000 === 0)).toBe(true);
    expect(h.length).toBeLessThanOrEqual(6);
  });
  it('draws steps: a value holds until the next point', () => {
    expect(stepPath([{ x: 0, y: 10 }, { x: 5, y: 20 }, { x: 9, y: 20 }])).toBe('M0,10H5V20H9V20');
    expect(stepPath([])).toBe('');
    const y = linear(0, 10, 100, 0);
    expect([y(0), y(5), y(10)]).toEqual([100, 50, 0]);
    expect(linear(3, 3, 0, 10)(3)).toBe(5);
  });
  it('downsamples long series keeping spikes, first and last', () => {
    const pts = Array.from({ length: 10_000 }, (_, i) => ({ at: i, v: i === 4321 ? 1e6 : i % 7 }));
    const d = downsample(pts, (p) => p.v, 100);
    expect(d.length).toBeLessThanOrEqual(400);
    expect(d[0]).toBe(pts[0]);
    expect(d[d.length - 1]).toBe(pts[pts.length - 1]);
    expect(d.some((p) => p.v === 1e6)).toBe(true);
    expect(downsample(pts.slice(0, 50), (p) => p.v, 100)).toHaveLength(50);
  });
  it('merges same-kind spans closer than a pixel into one band, and thins markers evenly', () => {
    const x = (v: number) => v;
    const spans = [{ from: 0, to: 10, k: 'a' }, { from: 10.5, to: 20, k: 'a' }, { from: 30, to: undefined, k: 'a' }, { from: 40, to: 50, k: 'b' }];
    const b = bands(spans, (s) => s.k, x, 60);
    expect(b.map((s) => [s.from, s.to, s.count])).toEqual([[0, 20, 2], [30, 60, 1], [40, 50, 1]]);
    const t = thin(Array.from({ length: 10 }, (_, i) => i), 5);
    expect(t).toEqual([0, 2, 4, 6, 8]);
  });
  it('sums time in each mode in whole milliseconds', () => {
    const spans = [
      { from: 0, to: 1100, mode: 'degraded' as const, reasons: [] },
      { from: 1100, to: 1300, mode: 'normal' as const, reasons: [] },
      { from: 1300, to: undefined, mode: 'halted' as const, reasons: [] },
    ];
    expect(timeInModes(spans, 1400)).toEqual({ degraded: 1.1, halted: 0.1 });
  });
});
