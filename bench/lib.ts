/**
 * Shared benchmark plumbing: percentiles, the median of several runs, the result rows that
 * bench/run.ts prints as one table and writes to bench/results.json. Benchmarks measure, never assert.
 */

/** One figure as a group's run() returns it (the older groups return a single measurement). */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  note?: string;
  /** How many runs the value is the median of (1 when absent). */
  runs?: number;
  /** Every run's value, when more than one. */
  samples?: number[];
  /** The baseline measured in the same run, and value/baseline (or baseline/value for "lower is better" figures: see note). */
  baseline?: number;
  ratio?: number;
}

/** A row of results.json. */
export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  runs: number;
  median: number;
  samples?: number[];
  ratio?: number;
  baseline?: number;
  note: string;
}

export function toRow(group: string, r: BenchResult): BenchRow {
  return {
    group, name: r.name, value: r.value, unit: r.unit, runs: r.runs ?? 1, median: r.value,
    ...(r.samples && r.samples.length > 1 && { samples: r.samples }),
    ...(r.ratio !== undefined && { ratio: r.ratio }),
    ...(r.baseline !== undefined && { baseline: r.baseline }),
    note: r.note ?? '',
  };
}

/** Quantile q in [0,1] of an ascending-sorted array (nearest rank). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** p50, p99, p99.9 and max of latency samples (any order). */
export function latencyStats(samples: ArrayLike<number>): { p50: number; p99: number; p999: number; max: number } {
  const s = Float64Array.from(samples as ArrayLike<number>).sort();
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), p999: quantile(s, 0.999), max: s[s.length - 1] ?? NaN };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/**
 * The least-squares line through (x, y) points, read at `from` and `to`: the change a trend shows
 * over a span, with single readings' noise averaged out (RSS jumps by tens of MiB between readings
 * with the allocator's and V8's page state, up and down). Needs two distinct x values.
 */
export function trendChange(points: readonly { x: number; y: number }[], from: number, to: number): { atFrom: number; atTo: number; relative: number } {
  const n = points.length;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  if (!(sxx > 0)) throw new Error(`trendChange: needs at least two distinct x values, got ${n} point(s)`);
  const slope = sxy / sxx;
  const atFrom = my + slope * (from - mx);
  const atTo = my + slope * (to - mx);
  return { atFrom, atTo, relative: (atTo - atFrom) / atFrom };
}

/** Rounds to 3 significant digits (at least integer precision above 1000). */
export function sig(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v);
  const d = Math.max(0, 2 - Math.floor(Math.log10(a)));
  return Number(v.toFixed(Math.min(d, 6)));
}

/** One figure of a run: a value, its unit, a note; `baseline` names another figure of the same run. */
export interface FigureSpec {
  readonly key: string;
  readonly name: string;
  readonly unit: string;
  readonly note?: string;
  /** The key of the baseline figure measured in the same run. */
  readonly baselineKey?: string;
  /** 'higher' (throughputs: ratio = value/baseline) or 'lower' (latencies: ratio = baseline/value). */
  readonly better?: 'higher' | 'lower';
}

/**
 * Runs `once` `runs` times (after `warmups` discarded runs) and turns each figure into the median
 * over the runs; ratios are the median of the per-run ratios (baseline and figure from the same run).
 */
export async function medianOfRuns(
  runs: number,
  once: (run: number) => Promise<Record<string, number>> | Record<string, number>,
  specs: readonly FigureSpec[],
  warmups = 0,
): Promise<BenchResult[]> {
  for (let i = 0; i < warmups; i++) await once(-1 - i);
  const all: Record<string, number>[] = [];
  for (let i = 0; i < runs; i++) all.push(await once(i));
  return specs.filter((s) => all.some((r) => r[s.key] !== undefined)).map((s) => {
    const samples = all.map((r) => r[s.key]!).filter((v) => v !== undefined);
    const out: BenchResult = { name: s.name, value: sig(median(samples)), unit: s.unit, runs: samples.length, samples: samples.map(sig) };
    if (s.note) out.note = s.note;
    if (s.baselineKey) {
      const ratios = all.map((r) => (s.better === 'lower' ? r[s.baselineKey!]! / r[s.key]! : r[s.key]! / r[s.baselineKey!]!));
      out.baseline = sig(median(all.map((r) => r[s.baselineKey!]!)));
      out.ratio = Number(median(ratios).toFixed(3));
    }
    return out;
  });
}

/** Microseconds since `t0` (a process.hrtime.bigint() value). */
export function usSince(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1000;
}

/** Lets the event loop run (GC, timers) between runs. */
export const pause = (ms = 0) => new Promise<void>((r) => setTimeout(r, ms));
