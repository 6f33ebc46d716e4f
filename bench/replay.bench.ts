/**
 * Replay: `polyquote replay` (the real CLI, a child process) on a 1M-event tape of realistic events
 * (submit, order update, fill, order update, chain snapshot, over 50 tokens), events/s wall clock
 * from spawn to exit; next to the same command on a 1-event tape (start-up cost, measured in the same
 * run) so the per-event rate net of start-up is shown too.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeEventLine } from '../core/tape-codec.ts';
import { syntheticEvents } from './engine.bench.ts';
import { medianOfRuns, type BenchResult } from './lib.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EVENTS = 1_000_000;
/** One run by default (a 1M-event replay is minutes on a busy 2-core machine); PQ_REPLAY_RUNS=3 for a median. */
const RUNS = Number(process.env.PQ_REPLAY_RUNS ?? 1);

const CONFIG = `
reconciler: { kind: oldest-first, pendingFillTtlSeconds: 120 }
risk:
  policies:
    - { kind: conservative-limits, maxPositionShares: 1000000000 }
    - { kind: degrade, thresholdShares: 25, forSeconds: 30 }
    - { kind: hard-halt, sourceUnavailableSeconds: 300 }
alerts: []
ledger: { kind: memory }
log: { level: silent }
`;

function writeTape(file: string, n: number): void {
  const fd = fs.openSync(file, 'w');
  let buf: string[] = [];
  for (const e of syntheticEvents(n)) {
    buf.push(JSON.stringify(encodeEventLine(e)));
    if (buf.length === 10_000) {
      fs.writeSync(fd, `${buf.join('\n')}\n`);
      buf = [];
    }
  }
  if (buf.length) fs.writeSync(fd, `${buf.join('\n')}\n`);
  fs.closeSync(fd);
}

/** Wall-clock ms of `polyquote replay` on a tape; throws on a non-zero exit. */
function replayMs(config: string, tape: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli/main.ts'), 'replay', '--config', config, '--tape', tape], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`polyquote replay exited ${code}: ${err}`))));
  });
}

export async function run(): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pq-bench-replay-'));
  try {
    const config = path.join(dir, 'replay.yaml');
    fs.writeFileSync(config, CONFIG);
    const big = path.join(dir, 'big.tape.jsonl');
    const tiny = path.join(dir, 'tiny.tape.jsonl');
    writeTape(big, EVENTS);
    writeTape(tiny, 1);
    const mb = (fs.statSync(big).size / 1e6).toFixed(0);
    return await medianOfRuns(RUNS, async () => {
      const startup = await replayMs(config, tiny);
      const ms = await replayMs(config, big);
      return { eps: EVENTS / (ms / 1000), net: EVENTS / ((ms - startup) / 1000), ms, startup };
    }, [
      { key: 'eps', name: 'polyquote replay, 1M-event tape', unit: 'events/s', note: `wall clock, spawn to exit (tsx start-up included); tape of ${mb} MB, 50 tokens, memory ledger` },
      { key: 'net', name: 'polyquote replay, 1M-event tape, net of start-up', unit: 'events/s', note: 'the 1-event tape time of the same run subtracted' },
      { key: 'ms', name: 'polyquote replay, 1M-event tape, total time', unit: 'ms' },
      { key: 'startup', name: 'polyquote replay, 1-event tape (start-up)', unit: 'ms' },
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(JSON.stringify(r));
}
