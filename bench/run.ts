/**
 * `npm run bench`: every benchmark, one table, and bench/results.json
 * ([{group, name, value, unit, runs, median, samples?, ratio?, baseline?, note}]). Figures are
 * measured, never asserted: compare them with the targets in the issues and the README.
 * `npm run bench -- ingest signing` runs some groups; `npm run bench -- --list` lists them.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toRow, type BenchResult, type BenchRow } from './lib.ts';

const groups: Record<string, () => Promise<BenchResult[]>> = {
  ingest: async () => (await import('./ingest.bench.ts')).run(),
  decision: async () => (await import('./decision.bench.ts')).run(),
  signing: async () => (await import('./signing.bench.ts')).run(),
  'tick-to-order': async () => (await import('./tick-to-order.bench.ts')).run(),
  reconcile: async () => (await import('./reconcile.bench.ts')).run(),
  memory: async () => (await import('./memory.bench.ts')).run(),
  replay: async () => (await import('./replay.bench.ts')).run(),
  engine: async () => (await import('./engine.bench.ts')).run(),
  ledger: async () => (await import('./ledger.bench.ts')).run(),
  sources: async () => (await import('./sources.bench.ts')).run(),
};

const args = process.argv.slice(2);
if (args.includes('--list')) {
  console.log(Object.keys(groups).join('\n'));
  process.exit(0);
}
const unknown = args.filter((a) => !(a in groups));
if (unknown.length) {
  console.error(`unknown benchmark group(s): ${unknown.join(', ')}; expected some of: ${Object.keys(groups).join(', ')}`);
  process.exit(2);
}

const rows: BenchRow[] = [];
const failed: string[] = [];
const started = performance.now();
for (const [group, fn] of Object.entries(groups)) {
  if (args.length && !args.includes(group)) continue;
  process.stderr.write(`running ${group} benchmarks…\n`);
  const t0 = performance.now();
  try {
    for (const r of await fn()) rows.push(toRow(group, r));
    process.stderr.write(`  ${group} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (err) {
    // One group failing (e.g. no anvil binary) leaves the others' figures standing.
    failed.push(group);
    process.stderr.write(`  ${group} FAILED after ${((performance.now() - t0) / 1000).toFixed(1)} s: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  }
}

const machine = `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown cpu'}), ${os.platform()} ${os.arch()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`;
const gw = Math.max(5, ...rows.map((r) => r.group.length));
const nw = Math.max(10, ...rows.map((r) => r.name.length));
const fmt = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en-US') : String(v));
console.log(`\npolyquote benchmarks — ${machine}; median of runs (samples in results.json)\n`);
console.log(`${'group'.padEnd(gw)}  ${'figure'.padEnd(nw)}  ${'median'.padStart(12)} ${'unit'.padEnd(13)} ${'runs'.padStart(4)}  ${'ratio'.padStart(8)}  note`);
for (const r of rows) {
  const ratio = r.ratio === undefined ? '' : `${r.ratio}×`;
  console.log(`${r.group.padEnd(gw)}  ${r.name.padEnd(nw)}  ${fmt(r.value).padStart(12)} ${r.unit.padEnd(13)} ${String(r.runs).padStart(4)}  ${ratio.padStart(8)}  ${r.baseline !== undefined ? `baseline ${fmt(r.baseline)}; ` : ''}${r.note}`);
}
console.log(`\n${rows.length} figures in ${((performance.now() - started) / 1000).toFixed(0)} s${failed.length ? `; FAILED groups: ${failed.join(', ')}` : ''}`);

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json');
fs.writeFileSync(out, `${JSON.stringify(rows, null, 2)}\n`);
process.stderr.write(`wrote ${out}\n`);
// Exit even if a group left a handle open (sockets, timers): the figures are written.
process.exit(failed.length ? 1 : 0);
