/**
 * A real crash: a child process feeding a session into the engine with a SQLite ledger is killed
 * with SIGKILL mid-stream, restarted on the same ledger, and must end in the state of an
 * uninterrupted run — nothing lost beyond the group-commit window, nothing applied twice.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STANDARD_RISK_YAML } from '../support/app-config.ts';
import { sessionTape } from '../support/session-tape.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'polyquote.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'pq-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `${STANDARD_RISK_YAML}ledger: { kind: sqlite, path: ./${name}.sqlite, groupCommit: { maxBatch: 100, intervalMs: 20 } }
engine: { checkpointEverySeconds: 30 }
`);
  return file;
}

function runToEnd(cfg: string, tape: string) {
  const r = spawnSync(process.execPath, [BIN, 'ingest', '--config', cfg, '--tape', tape], { encoding: 'utf8', cwd: dir });
  expect(r.status, r.stderr).toBe(0);
  const done = JSON.parse(r.stderr.trim().split('\n').pop()!).done as { resumedAfterSeq: number; skipped: number; resent: number; ingested: number };
  return { state: JSON.parse(r.stdout.trim()) as { positions: Record<string, Record<string, unknown>>; risk: unknown; fills: Record<string, number> }, done };
}

/** Starts a paced run and SIGKILLs it once it reported `after` events ingested. */
function killMidStream(cfg: string, tape: string, after: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'ingest', '--config', cfg, '--tape', tape, '--pace-ms', '1'], { cwd: dir });
    let seen = 0;
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      for (const m of chunk.matchAll(/ingested (\d+)\//g)) seen = Number(m[1]);
      if (seen >= after && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(seen) : reject(new Error(`child ended before the kill: ${code} ${err}`))));
  });
}

/** Positions as the engine holds them; the discrepancy counter legitimately differs after a forced restart reconcile. */
function holdings(state: { positions: Record<string, Record<string, unknown>> }) {
  return Object.fromEntries(Object.entries(state.positions).map(([t, p]) => {
    const { discrepancies: _d, pnl: _p, ...rest } = p;
    return [t, rest];
  }));
}

describe('crash recovery', () => {
  it('ends a SIGKILLed and restarted run in the state of an uninterrupted one', async () => {
    const tape = path.join(dir, 'session.jsonl');
    const { lines } = sessionTape(400);
    writeFileSync(tape, `${lines.join('\n')}\n`);

    const clean = runToEnd(config('clean'), tape);
    expect(clean.done.ingested).toBe(lines.length);

    const crashCfg = config('crash');
    const killedAfter = await killMidStream(crashCfg, tape, 700);
    expect(killedAfter).toBeGreaterThanOrEqual(700);
    const resumed = runToEnd(crashCfg, tape);

    // It really resumed from the ledger, re-sent an overlap of fills, and skipped what was recorded.
    expect(resumed.done.resumedAfterSeq).toBeGreaterThanOrEqual(killedAfter - 100);
    expect(resumed.done.skipped).toBeGreaterThan(0);
    expect(resumed.done.resent).toBeGreaterThan(0);
    expect(holdings(resumed.state)).toEqual(holdings(clean.state));
    // Every fill was added to pending exactly once; the re-sent ones were recognised.
    expect(resumed.state.fills.added).toBe(clean.state.fills.added);
    expect(resumed.state.fills['removed-failed']).toBe(clean.state.fills['removed-failed']);
    const recognised = (f: Record<string, number>) => (f.duplicate ?? 0) + (f['status-updated'] ?? 0);
    expect(recognised(resumed.state.fills)).toBeGreaterThan(recognised(clean.state.fills));
    expect(resumed.state.risk).toEqual(clean.state.risk);
  }, 120_000);
});
