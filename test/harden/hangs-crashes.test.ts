/**
 * Hangs, crashes and leaks as an operator meets them through the CLI (child processes, run side by
 * side) and App: far-future times, config the runtime cannot use, alias bombs, usage errors, EPIPE,
 * tampered ledgers, a full disk, an empty lock file, and secrets in error output.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { App } from '../../app/app.ts';
import { VirtualClock } from '../../core/clock.ts';
import { parseConfig } from '../../core/config/load.ts';
import { ConfigError } from '../../core/errors.ts';
import { scrubSecrets } from '../../core/logger.ts';
import { replayTape } from '../../app/replay/replay.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { sessionTape } from '../support/session-tape.ts';
import { BIN, runCli, type CliResult } from '../integration/cli.ts';
import { configOf, decode, feed, sqliteConfig, sql, startOn, tempDir } from './support.ts';

const { dir, cleanup } = tempDir('pq-harden-hangs-');
afterAll(cleanup);
const reg = new PluginRegistry();
const TOK = '7';
const session = sessionTape(60);
const TAPE = path.join(dir, 'session.jsonl');
writeFileSync(TAPE, `${session.lines.join('\n')}\n`);

const noStack = (r: CliResult) => expect(r.stderr, r.stderr).not.toMatch(/unexpected error|\n\s+at /);
const configIssues = (yaml: string, env: NodeJS.ProcessEnv = {}) => {
  try {
    parseConfig(yaml, reg, { env });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
};

describe('replay cost is bounded by events and due timers, not virtual time', () => {
  it('jumps to the year 9999 at once', async () => {
    const t0 = performance.now();
    const out: unknown[] = [];
    await replayTape({
      config: configOf(`${sqliteConfig(dir, 'unused').yaml.replace(/ledger:.*\n/, '')}ledger: { kind: memory }`, dir),
      lines: [
        JSON.stringify({ at: '2026-01-01T00:00:00Z', kind: 'balance', source: 'chain', balances: { [TOK]: '1' } }),
        JSON.stringify({ at: '2100-01-01T00:00:00Z', kind: 'query', tokenId: TOK }),
        JSON.stringify({ at: '9999-12-31T23:59:59Z', kind: 'advance' }),
      ],
      output: (l) => out.push(l),
    });
    expect(out).toHaveLength(2);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});

describe('every value a config schema accepts is one the runtime can use', () => {
  const chain = (extra: string) => `positionSource: { kind: chain, rpcUrl: "http://127.0.0.1:1", funder: "0x${'1'.repeat(40)}"${extra} }`;
  it.each([
    ['an interval of 1e-6 s', chain(', intervalSeconds: 0.000001'), /positionSource\.intervalSeconds: expected seconds between/],
    ['a timeout of 3e6 s', chain(', timeoutSeconds: 3000000'), /positionSource\.timeoutSeconds: expected seconds between/],
    ['a timeout of 0.0015 s', chain(', timeoutSeconds: 0.0015'), /positionSource\.timeoutSeconds: expected whole milliseconds/],
    ['a chain source without a funder', 'positionSource: { kind: chain, rpcUrl: "http://127.0.0.1:1" }', /positionSource\.funder: expected a funder/],
    ['a checkpoint period of 1e-9 s', 'engine: { checkpointEverySeconds: 0.000000001 }', /engine\.checkpointEverySeconds/],
    ['a TTL beyond a timer', 'reconciler: { kind: oldest-first, pendingFillTtlSeconds: 1e9 }', /reconciler\.pendingFillTtlSeconds/],
    ['a __proto__ key', 'engine:\n  __proto__: { checkpointEverySeconds: 1 }', /engine\.__proto__: expected an ordinary key/],
  ])('refuses %s', (_name, yaml, want) => {
    expect(configIssues(yaml).join('\n')).toMatch(want);
  });

  it('reports a root-level and a plugin-level problem together', () => {
    const issues = configIssues('colour: red\nrisk: { policies: [ { kind: hard-halt, sourceUnavailableSeconds: -1 } ] }');
    expect(issues).toEqual([expect.stringMatching(/unknown key "colour"/), expect.stringMatching(/risk\.policies\.0\.sourceUnavailableSeconds/)]);
  });

  it('redacts a secret of any length from a config error', () => {
    const issues = configIssues('positionSource: { kind: rest, url: "${PQ_API_KEY}", funder: "0x' + '1'.repeat(40) + '" }', { PQ_API_KEY: 'k3y' });
    expect(issues.join('\n')).toMatch(/positionSource\.url/);
    expect(scrubSecrets(issues.join('\n'))).not.toContain('k3y');
  });
});

describe('the command line', () => {
  it('gives usage errors (exit 2, no stack) for bad flags and paths, a config error for an alias bomb, and survives a closed stdout', async () => {
    const c = sqliteConfig(dir, 'cli');
    const bomb = path.join(dir, 'bomb.yaml');
    const lol = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) lol.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    writeFileSync(bomb, `${lol.join('\n')}\n`);
    const proto = path.join(dir, 'proto.yaml');
    writeFileSync(proto, 'engine:\n  __proto__: { checkpointEverySeconds: 1 }\n');
    const secret = path.join(dir, 'secret.yaml');
    writeFileSync(secret, 'positionSource: { kind: rest, url: "http://127.0.0.1:9/${PQ_API_KEY}?apikey=${PQ_API_KEY}", funder: "0x' + '1'.repeat(40) + '", intervalSeconds: 0.05, timeoutSeconds: 0.2 }\n');
    mkdirSync(path.join(dir, 'adir'), { recursive: true });
    const runs = await Promise.all([
      runCli(['replay', '--config', c.file, '--tape', path.join(dir, 'adir')], dir),
      runCli(['ledger', 'export', '--config', c.file, '--tape', path.join(dir, 'x.jsonl'), '--from', 'garbage'], dir),
      runCli(['sources', 'compare', '--config', c.file, '--interval-seconds', '0'], dir),
      runCli(['sources', 'compare', '--config', c.file, '--seconds', 'abc'], dir),
      runCli(['ingest', '--config', c.file, '--tape', TAPE, '--overlap-seconds', 'abc'], dir),
      runCli(['check-config', '--config', bomb], dir),
      runCli(['check-config', '--config', proto], dir),
      runCli(['sources', 'compare', '--config', secret, '--seconds', '0.3', '--interval-seconds', '0.1'], dir, { PQ_API_KEY: 'zq9' }),
    ]);
    for (const r of runs.slice(0, 7)) {
      expect(r.code, r.stderr).toBe(2);
      noStack(r);
    }
    expect(runs[0]!.stderr).toMatch(/--tape to be a regular file/);
    expect(runs[1]!.stderr).toMatch(/--from/);
    expect(runs[2]!.stderr).toMatch(/--interval-seconds/);
    expect(runs[3]!.stderr).toMatch(/--seconds/);
    expect(runs[4]!.stderr).toMatch(/--overlap-seconds/);
    expect(runs[5]!.stderr).toMatch(/invalid YAML: .*alias/i);
    expect(runs[6]!.stderr).toMatch(/__proto__/);
    const leak = runs[7]!;
    expect(leak.code, leak.stderr).toBe(0);
    expect(leak.stdout).toMatch(/error|fail/i);
    expect(`${leak.stdout}${leak.stderr}`).not.toContain('zq9');

    // `replay … | head -1`: the reader goes away after the first line.
    const child = spawn(process.execPath, [BIN, 'replay', '--config', c.file, '--tape', TAPE], { cwd: dir, env: { ...process.env, POLYQUOTE_LOG_LEVEL: 'silent' } });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => void (err += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('close', (c2) => resolve(c2)));
    expect(err).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  }, 120_000);

  it('ingest into a ledger that fills up exits 1 with LEDGER_FAILED, and an empty stale lock does not block a start', async () => {
    const big = sessionTape(1500);
    const bigTape = path.join(dir, 'big.jsonl');
    writeFileSync(bigTape, `${big.lines.join('\n')}\n`);
    const full = sqliteConfig(dir, 'full').file;
    writeFileSync(full, `${sqliteConfig(dir, 'full').yaml.replace('ledger: { kind: sqlite, path: ./full.sqlite }', 'ledger: { kind: sqlite, path: ./full.sqlite, maxSizeMb: 1 }')}`);
    const locked = sqliteConfig(dir, 'locked');
    writeFileSync(`${locked.ledger}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${locked.ledger}.lock`, old, old);
    const [r, l] = await Promise.all([runCli(['ingest', '--config', full, '--tape', bigTape], dir), runCli(['ingest', '--config', locked.file, '--tape', TAPE], dir)]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/LEDGER_FAILED/);
    expect(r.stderr).not.toMatch(/"done"/);
    noStack(r);
    expect(l.code, l.stderr).toBe(0);
  }, 120_000);
});

describe('a tampered ledger is LEDGER_CORRUPT naming the record', () => {
  const events = session.lines.map(decode);
  const tamper: [string, string, RegExp][] = [
    ['a record at 9e15', 'UPDATE events SET at = 9e15 WHERE seq = 20', /record #20 .*impossible time/],
    ['a payload that is not JSON', "UPDATE events SET payload = '{oops' WHERE seq = 20", /record #20 .*not a JSON object/],
    ['a gap in seq', 'DELETE FROM events WHERE seq = 20', /from seq 19 to seq 21/],
    ['a missing token-dictionary row', 'DELETE FROM tokens WHERE id = (SELECT token FROM events WHERE seq = 20)', /record #\d+ \(\w+\) names token dictionary id \d+, which has no row in the tokens table/],
    ['a record whose type disagrees with its payload', "UPDATE events SET type = 'gap' WHERE seq = 20", /record #20 is of type gap but its payload is of kind/],
  ];
  it.each(tamper)('%s', async (name, statement, want) => {
    const c = sqliteConfig(dir, `tamper-${name.replace(/\W+/g, '-')}`);
    const { app, clock } = await startOn(configOf(c.yaml, dir), events[0]!.at);
    feed(app, clock, events.slice(0, 40));
    (app as unknown as { ready: boolean }).ready = false; // killed: no checkpoint covers the tail
    await app.dispose();
    sql(c.ledger, (db) => db.prepare(statement).run());
    const again = App.create(configOf(c.yaml, dir), { clock: new VirtualClock(events[0]!.at), withoutSources: true });
    const err = await again.start().then(() => undefined, (e: unknown) => e as Error & { code?: string });
    await again.dispose();
    expect(err?.code).toBe('LEDGER_CORRUPT');
    expect(err?.message).toMatch(want);
  });

  it('a checkpoint beyond the last record', async () => {
    const c = sqliteConfig(dir, 'tamper-beyond');
    const { app, clock } = await startOn(configOf(c.yaml, dir), events[0]!.at);
    feed(app, clock, events.slice(0, 40));
    app.checkpoint();
    (app as unknown as { ready: boolean }).ready = false;
    await app.dispose();
    sql(c.ledger, (db) => db.prepare('DELETE FROM events WHERE seq > 30').run());
    const again = App.create(configOf(c.yaml, dir), { clock: new VirtualClock(events[0]!.at), withoutSources: true });
    const err = await again.start().then(() => undefined, (e: unknown) => e as Error & { code?: string });
    await again.dispose();
    expect(err?.code).toBe('LEDGER_CORRUPT');
    expect(err?.message).toMatch(/checkpoint at seq 40 is beyond the last record/);
  });
});
