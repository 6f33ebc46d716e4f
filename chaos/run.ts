/**
 * `npm run chaos [-- --seeds 11,12,13] [--kills 3] [--run-seconds 8-20] [--final-seconds 15]`:
 * the chaos suite. For each seed, the real bot against the simulator with its faults on, killed with
 * SIGKILL and restarted on the same ledger; prints the figures as a table and writes
 * chaos/results.json. Exits 1 when an invariant is broken, printing the seed and the command to repeat it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chaosPlan } from './plan.ts';
import { ROOT } from './procs.ts';
import { runSeed, type SeedResult } from './scenario.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '101,202,303' }, kills: { type: 'string', default: '3' },
    'run-seconds': { type: 'string', default: '8-20' }, 'final-seconds': { type: 'string', default: '15' },
    out: { type: 'string', default: path.join(ROOT, 'chaos', 'results.json') },
  },
  strict: true,
});
const seeds = values.seeds.split(',').map((s) => Number(s.trim()));
if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`--seeds expects comma-separated non-negative integers, got ${JSON.stringify(values.seeds)}`);
const kills = Number(values.kills);
const [lo, hi] = values['run-seconds'].split('-').map(Number) as [number, number];
const finalSeconds = Number(values['final-seconds']);
if (!Number.isInteger(kills) || kills < 0 || !(lo > 0 && hi >= lo) || !(finalSeconds > 0)) throw new Error('expected --kills N, --run-seconds LO-HI and --final-seconds S as positive numbers');

const results: SeedResult[] = [];
for (const seed of seeds) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `polyquote-chaos-${seed}-`));
  process.stderr.write(`seed ${seed}: working in ${dir}\n`);
  const plan = chaosPlan(seed, { kills, runSeconds: [lo, hi], finalSeconds });
  try {
    results.push(await runSeed(plan, { dir, maxPositionShares: 1100, sizeShares: 20, pendingFillTtlSeconds: 60, convergeTimeoutSeconds: 90, liveWindowSeconds: 20, log: (m) => process.stderr.write(`${m}\n`) }));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    results.push({ seed, ok: false, failures: [`run failed: ${msg}`] } as SeedResult);
  }
}

const cols: [string, (r: SeedResult) => unknown][] = [
  ['seed', (r) => r.seed], ['kills', (r) => r.kills], ['orders', (r) => r.ourOrders], ['limit breaches', (r) => r.limitBreaches],
  ['fills', (r) => r.fills], ['lost', (r) => r.fillsLost], ['twice', (r) => r.fillsCountedTwice], ['dup orders', (r) => r.duplicateOrders], ['unrecorded', (r) => r.unrecordedOrders],
  ['converge s', (r) => r.convergenceSeconds ?? 'never'], ['live agree s', (r) => r.liveAgreementSeconds ?? 'never'], ['halts', (r) => r.halts], ['normal/degr/halted s', (r) => `${r.secondsNormal}/${r.secondsDegraded}/${r.secondsHalted}`],
  ['ok', (r) => (r.ok ? 'yes' : 'NO')],
];
const rows = results.map((r) => cols.map(([, f]) => String(f(r) ?? '-')));
const widths = cols.map(([h], i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
process.stdout.write(`${fmt(cols.map(([h]) => h))}\n${rows.map(fmt).join('\n')}\n`);
writeFileSync(values.out, `${JSON.stringify({ at: new Date().toISOString(), seeds, kills, results }, null, 2)}\n`);
process.stdout.write(`${JSON.stringify({ kind: 'chaos', results: results.map(({ details: _d, ...r }) => r) })}\n`);
const failed = results.filter((r) => !r.ok);
for (const r of failed) {
  process.stdout.write(`FAILED seed ${r.seed}: ${r.failures.join('; ')}\n  repeat: npm run chaos -- --seeds ${r.seed} --kills ${kills} --run-seconds ${lo}-${hi} --final-seconds ${finalSeconds}\n`);
}
process.exit(failed.length > 0 ? 1 : 0);
