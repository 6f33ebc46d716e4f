/** Every expression of the shipped Grafana dashboards names a metric the process exports, and every polyquote metric is on a dashboard. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSource } from '../../../ops/metrics/app-source.ts';
import { PolyquoteMetrics } from '../../../ops/metrics/metrics.ts';
import { startApp, type Harness } from '../../core/harness.ts';

const DIR = path.resolve(import.meta.dirname, '../../../ops/grafana');

const NOT_METRICS = new Set([
  // aggregations, keywords, modifiers
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group', 'limitk', 'limit_ratio',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan', 'Inf', 'NaN',
  // functions (normally followed by "(", listed in case of spacing)
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'predict_linear', 'histogram_quantile', 'abs', 'ceil', 'floor', 'round', 'clamp', 'clamp_min',
  'clamp_max', 'label_replace', 'label_join', 'vector', 'scalar', 'time', 'timestamp', 'absent', 'absent_over_time', 'changes', 'resets', 'sort', 'sort_desc',
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'last_over_time', 'quantile_over_time', 'stddev_over_time', 'exp', 'ln', 'log2', 'log10', 'sqrt',
]);

/** Metric names a PromQL expression reads: identifiers followed by `{`, `[`, `)`, `,`, whitespace or the end, minus functions and keywords. */
export function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // grouping label lists
    .replace(/\{[^}]*\}/g, '{}') // label matchers
    .replace(/\[[^\]]*\]/g, '[]'); // ranges
  const out = new Set<string>();
  for (const m of s.matchAll(/(?<![\w:$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?=\s*[{[),]|\s|$)/g)) if (!NOT_METRICS.has(m[1]!)) out.add(m[1]!);
  return [...out];
}

/** Every `expr` of every panel (rows nested or not), and the metrics of `label_values(metric, label)` variables. */
function expressions(dash: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'expr' && typeof x === 'string') out.push(x);
      else if ((k === 'query' || k === 'definition') && typeof x === 'string') {
        const lv = /label_values\(\s*([^,)]+)/.exec(x);
        out.push(lv ? lv[1]! : x);
      } else walk(x);
    }
  };
  walk(dash);
  return out;
}

let h: Harness;
let metrics: PolyquoteMetrics;
let exported: Set<string>;
let own: string[];
beforeAll(async () => {
  h = await startApp();
  metrics = new PolyquoteMetrics(appSource(h.app));
  const json = await metrics.registry.getMetricsAsJSON();
  exported = new Set(json.flatMap((m) => {
    const t = String(m.type);
    if (t === 'histogram') return [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`];
    if (t === 'summary') return [m.name, `${m.name}_sum`, `${m.name}_count`];
    return [m.name];
  }));
  own = json.map((m) => m.name).filter((n) => !/^polyquote_(process_|nodejs_)/.test(n));
});
afterAll(async () => {
  metrics.dispose();
  await h.dispose();
});

describe('metricNames', () => {
  it.each([
    ['polyquote_a', ['polyquote_a']],
    ['polyquote_a{token=~"$token", set="live"}', ['polyquote_a']],
    ['sum by (le) (rate(polyquote_b_bucket[5m]))', ['polyquote_b_bucket']],
    ['histogram_quantile(0.95, sum by (le, token) (rate(x_bucket{a="b"}[5m])))', ['x_bucket']],
    ['max by (token) (polyquote_c) / on (token) group_left polyquote_d', ['polyquote_c', 'polyquote_d']],
    ['sum(increase(polyquote_e[1h])) > bool 0', ['polyquote_e']],
    ['polyquote_f offset 5m', ['polyquote_f']],
  ])('%s', (expr, want) => {
    expect(metricNames(expr).sort()).toEqual([...want].sort());
  });
});

describe('Grafana dashboards', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  it('ships at least one dashboard', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it.each(files)('%s: every expression names exported metrics only', (file) => {
    const dash = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as unknown;
    const exprs = expressions(dash);
    expect(exprs.length).toBeGreaterThan(10);
    for (const e of exprs) {
      const names = metricNames(e);
      expect(names.length, `no metric in ${e}`).toBeGreaterThan(0);
      for (const n of names) expect(exported.has(n), `${file}: ${n} (in ${e}) is not exported`).toBe(true);
    }
  });
  it('every polyquote metric is shown on some dashboard', () => {
    const used = new Set(files.flatMap((f) => expressions(JSON.parse(readFileSync(path.join(DIR, f), 'utf8'))).flatMap(metricNames)));
    const base = (n: string) => n.replace(/_(bucket|sum|count)$/, '');
    const usedBase = new Set([...used, ...[...used].map(base)]);
    expect(own.filter((n) => !usedBase.has(n))).toEqual([]);
  });
});
