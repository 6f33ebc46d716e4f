/**
 * Ledger faults as an operator meets them, through the real CLI: a corrupt or truncated ledger file
 * is refused (exit ≠ 0, stderr naming the file) and left byte for byte as it was; a second engine is
 * refused while the first holds the writer lock; `ledger inspect` still reads beside a running engine.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { App, pluginBuilder } from '../../app/app.ts';
import { SystemClock, VirtualClock } from '../../core/clock.ts';
import { parseConfig } from '../../core/config/load.ts';
import type { Ledger } from '../../core/ledger/ledger.ts';
import { createLogger } from '../../core/logger.ts';
import { decodeEventLine } from '../../core/tape-codec.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { sessionTape } from '../support/session-tape.ts';
import { runCli, sha256, spawnCli, type CliResult } from './cli.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pq-faults-'));
const children: { kill(sig: NodeJS.Signals): boolean; exitCode: number | null; signalCode: NodeJS.Signals | null }[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const TAPE = path.join(dir, 'session.jsonl');
const session = sessionTape(1000);
writeFileSync(TAPE, `${session.lines.join('\n')}\n`);

/** A config whose sqlite ledger is `<name>.sqlite` beside it. */
function config(name: string): { file: string; ledger: string; yaml: string } {
  const yaml = `
risk:
  policies: [ { kind: conservative-limits, maxPositionShares: 100000 }, { kind: hard-halt, sourceUnavailableSeconds: 300 } ]
alerts: [ { kind: log } ]
ledger: { kind: sqlite, path: ./${name}.sqlite }
`;
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return { file, ledger: path.join(dir, `${name}.sqlite`), yaml };
}

/** The files named `<ledger>*` in the directory (the ledger, its -wal/-shm, its .lock). */
const siblings = (ledger: string) => readdirSync(dir).filter((f) => f.startsWith(path.basename(ledger))).sort();

/** Writes a real ledger through the App (in-process), holding the first `n` session events. */
async function realLedger(name: string, n: number): Promise<{ file: string; ledger: string }> {
  const c = config(name);
  const events = session.lines.slice(0, n).map((l) => decodeEventLine(JSON.parse(l) as Record<string, unknown>));
  const clock = new VirtualClock(events[0]!.at);
  const app = App.create(parseConfig(`${c.yaml}\nlog: { level: silent }\n`, new PluginRegistry(), { baseDir: dir }), { clock });
  await app.start();
  for (const e of events) {
    if (e.at > clock.now()) clock.advanceTo(e.at);
    app.engine.ingest(e);
  }
  await app.dispose();
  return c;
}

function expectRefused(r: CliResult, ledger: string, what: RegExp): void {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.code).not.toBeNull();
  expect(r.stderr).toContain(ledger);
  expect(r.stderr).toMatch(what);
  expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /); // a clear message, not a stack trace
  expect(r.stdout).toBe('');
}

describe('a damaged ledger file', () => {
  it('refuses a corrupt or truncated ledger in ingest and inspect, naming the file and leaving its bytes unchanged', async () => {
    const garbage = config('garbage');
    writeFileSync(garbage.ledger, Buffer.from(Array.from({ length: 48 * 1024 }, (_, i) => (i * 7919 + 13) & 0xff)));
    const partPage = await realLedger('cut-mid-page', 1500);
    const wholePages = await realLedger('cut-whole-pages', 1500);
    const size = statSync(partPage.ledger).size;
    expect(size).toBeGreaterThanOrEqual(8 * 16384);
    truncateSync(partPage.ledger, size - 5000);
    truncateSync(wholePages.ledger, Math.floor(size / 16384 / 2) * 16384);

    const cases = [
      { c: garbage, args: ['ingest', '--config', garbage.file, '--tape', TAPE], what: /LEDGER_CORRUPT.*is not a SQLite database/ },
      { c: garbage, args: ['ledger', 'inspect', '--config', garbage.file], what: /LEDGER_CORRUPT.*is not a SQLite database/ },
      { c: partPage, args: ['ingest', '--config', partPage.file, '--tape', TAPE], what: /LEDGER_CORRUPT.*is truncated/ },
      // In WAL mode the header's page count is not trusted, so SQLite's own check is what catches this one.
      { c: wholePages, args: ['ledger', 'inspect', '--config', wholePages.file], what: /LEDGER_CORRUPT.*(is truncated|malformed)/ },
    ];
    const before = cases.map(({ c }) => ({ sha: sha256(c.ledger), files: siblings(c.ledger) }));
    const results = await Promise.all(cases.map(({ args }) => runCli(args, dir)));
    cases.forEach(({ c, what }, i) => {
      expectRefused(results[i]!, c.ledger, what);
      expect(sha256(c.ledger)).toBe(before[i]!.sha);
      // No lock was left behind; a read-only SQLite open may create an empty -wal/-shm pair, never WAL frames.
      expect(siblings(c.ledger).filter((f) => !/-(wal|shm)$/.test(f))).toEqual(before[i]!.files);
      if (existsSync(`${c.ledger}-wal`)) expect(statSync(`${c.ledger}-wal`).size).toBe(0);
    });
    for (const { c } of cases) expect(existsSync(`${c.ledger}.lock`)).toBe(false);
  });
});

describe('the writer lock', () => {
  it('refuses a second ingest with LEDGER_LOCKED naming the holder\'s pid, while inspect reads beside the running engine', async () => {
    const c = config('locked');
    const first = spawnCli(['ingest', '--config', c.file, '--tape', TAPE, '--pace-ms', '5'], dir);
    children.push(first);
    let progress = 0;
    let firstErr = '';
    const progressed = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (progress >= n) resolve();
          else if (first.exitCode !== null) reject(new Error(`the first ingest ended early (${first.exitCode}): ${firstErr}`));
          else setTimeout(check, 10);
        };
        check();
      });
    first.stderr.setEncoding('utf8').on('data', (d: string) => {
      firstErr += d;
      for (const m of d.matchAll(/ingested (\d+)\//g)) progress = Number(m[1]);
    });
    await progressed(50);
    const lockFile = `${c.ledger}.lock`;
    const lockSha = sha256(lockFile);
    expect((JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number }).pid).toBe(first.pid);

    const [second, inspect] = await Promise.all([
      runCli(['ingest', '--config', c.file, '--tape', TAPE], dir),
      runCli(['ledger', 'inspect', '--config', c.file], dir),
    ]);
    expectRefused(second, c.ledger, new RegExp(`LEDGER_LOCKED: ledger \\S+ is locked by pid ${first.pid} on `));
    expect(inspect.code, inspect.stderr).toBe(0);
    const records = Number(/^records: (\d+)/m.exec(inspect.stdout)?.[1]);
    expect(records).toBeGreaterThan(0);
    expect(inspect.stdout).toContain('by type:');

    // Neither touched the lock, and the first engine is still running and ingesting.
    expect(sha256(lockFile)).toBe(lockSha);
    expect(first.exitCode).toBeNull();
    const seen = progress;
    await progressed(seen + 50);
    const exited = new Promise((resolve) => first.once('exit', resolve));
    first.kill('SIGKILL');
    await exited;

    // What is on disk is a gap-free prefix of the tape, written once: the refused engine added nothing.
    const cfg = parseConfig(`${c.yaml}\nlog: { level: silent }\n`, new PluginRegistry(), { baseDir: dir });
    const ledger = pluginBuilder(new PluginRegistry(), cfg, new SystemClock(), createLogger({ level: 'silent' }))<Ledger>('ledger', { ...cfg.ledger, readOnly: true }, 'ledger');
    ledger.open();
    try {
      const records = [...ledger.iterate(0)];
      expect(records.length).toBeGreaterThanOrEqual(seen);
      expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
      const tapeHead = session.lines.slice(0, records.length).map((l) => JSON.parse(l) as { at: string; kind: string });
      expect(records.map((r) => [r.type, r.at])).toEqual(tapeHead.map((l) => [l.kind, Date.parse(l.at)]));
    } finally {
      ledger.close();
    }
  }, 40_000);
});
