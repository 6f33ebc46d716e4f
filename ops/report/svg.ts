/** Tiny pure helpers for the report's inline SVG: escaping, scales, step paths, ticks, downsampling. */

export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface Scale {
  (v: number): number;
  readonly domain: readonly [number, number];
}

/** A linear scale from [d0, d1] to [r0, r1]; a flat domain maps to the middle of the range. */
export function linear(d0: number, d1: number, r0: number, r1: number): Scale {
  const f = ((v: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0))) as Scale;
  Object.defineProperty(f, 'domain', { value: [d0, d1] as const });
  return f;
}

/** An SVG path that holds each value until the next point (values change at events). */
export function stepPath(points: readonly { x: number; y: number }[]): string {
  if (points.length === 0) return '';
  let d = `M${r(points[0]!.x)},${r(points[0]!.y)}`;
  for (let i = 1; i < points.length; i++) {
    const p = points[i]!;
    d += `H${r(p.x)}V${r(p.y)}`;
  }
  return d;
}

const r = (v: number) => Math.round(v * 10) / 10;

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step || 0); // never "-0"
  return out;
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800].map((s) => s * 1000);

/** About `count` time ticks on round UTC seconds, minutes, hours or days. */
export function timeTicks(t0: number, t1: number, count = 6): number[] {
  if (!(t1 > t0)) return [t0];
  const step = TIME_STEPS.find((s) => (t1 - t0) / s <= count) ?? Math.ceil((t1 - t0) / count / 86_400_000) * 86_400_000;
  const out: number[] = [];
  for (let v = Math.ceil(t0 / step) * step; v <= t1; v += step) out.push(v);
  return out;
}

/** HH:MM:SS (UTC), with the date when the span crosses days. */
export function timeLabel(ms: number, withDate: boolean): string {
  const iso = new Date(ms).toISOString();
  return withDate ? `${iso.slice(5, 10)} ${iso.slice(11, 19)}` : iso.slice(11, 19);
}

/**
 * At most about 2 × `buckets` points: per time bucket the first, the lowest and highest (by `value`)
 * and the last point are kept, so spikes survive. Short series are returned as they are.
 */
export function downsample<T extends { at: number }>(points: readonly T[], value: (p: T) => number, buckets = 1000): T[] {
  if (points.length <= buckets * 2) return [...points];
  const t0 = points[0]!.at;
  const span = Math.max(1, points[points.length - 1]!.at - t0);
  const out: T[] = [];
  let bucket = -1;
  let group: T[] = [];
  const flush = () => {
    if (group.length === 0) return;
    let lo = group[0]!;
    let hi = group[0]!;
    for (const p of group) {
      if (value(p) < value(lo)) lo = p;
      if (value(p) > value(hi)) hi = p;
    }
    const keep = new Set([group[0]!, lo, hi, group[group.length - 1]!]);
    for (const p of group) if (keep.has(p)) out.push(p);
    group = [];
  };
  for (const p of points) {
    const b = Math.min(buckets - 1, Math.floor(((p.at - t0) / span) * buckets));
    if (b !== bucket) {
      flush();
      bucket = b;
    }
    group.push(p);
  }
  flush();
  return out;
}
