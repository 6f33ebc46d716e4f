/**
 * `npm run bench`: every benchmark, one table. Figures are measured, never asserted: compare them
 * with the targets in the issues and the README. `npm run bench -- ledger` runs one group.
 */
import 'reflect-metadata';
import type { BenchResult } from './ledger.bench.ts';

const groups: Record<string, () => Promise<BenchResult[]>> = {
  engine: async () => (await import('./engine.bench.ts')).run(),
  ledger: async () => (await import('./ledger.bench.ts')).run(),
  sources: async () => (await import('./sources.bench.ts')).run(),
};

const only = process.argv.slice(2);
const rows: (BenchResult & { group: string })[] = [];
for (const [group, fn] of Object.entries(groups)) {
  if (only.length && !only.includes(group)) continue;
  process.stderr.write(`running ${group} benchmarks…\n`);
  const t0 = performance.now();
  for (const r of await fn()) rows.push({ ...r, group });
  process.stderr.write(`  ${group} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
const w = Math.max(...rows.map((r) => r.name.length));
console.log(`\npolyquote benchmarks — node ${process.version}, ${(await import('node:os')).cpus().length} cores\n`);
for (const r of rows) console.log(`${r.group.padEnd(8)} ${r.name.padEnd(w)}  ${String(r.value).padStart(10)} ${r.unit.padEnd(9)} ${r.note ?? ''}`);
