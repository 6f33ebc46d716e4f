/**
 * Data-loss defects: `ledger export` over the ledger's own files, a checkpoint that does not decode
 * (and the failed start that wrote a new one over it), and ingest resuming at the wrong copy of a
 * repeated line.
 */
import { copyFileSync, linkSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { App } from '../../app/app.ts';
import { VirtualClock } from '../../core/clock.ts';
import { ledgerCommand } from '../../cli/ledger-commands.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { sessionTape } from '../support/session-tape.ts';
import { runCli, sha256 } from '../integration/cli.ts';
import { configOf, decode, feed, holdings, sqliteConfig, sql, startOn, tempDir } from './support.ts';

const { dir, cleanup } = tempDir('pq-harden-loss-');
afterAll(cleanup);
const session = sessionTape(120);
const events = session.lines.map(decode);
const T0 = events[0]!.at;

/** A ledger with all the session, checkpoints at 1/3 and 2/3, and the state it ends in. */
async function ledgerWithCheckpoints(name: string) {
  const c = sqliteConfig(dir, name);
  const { app, clock } = await startOn(configOf(c.yaml, dir), T0);
  const third = Math.floor(events.length / 3);
  feed(app, clock, events.slice(0, third));
  app.checkpoint();
  feed(app, clock, events.slice(third, 2 * third));
  app.checkpoint();
  feed(app, clock, events.slice(2 * third));
  app.ledger.flush();
  // Killed: no last checkpoint on the way out (the tail after 2/3 is replayed).
  const expected = holdings(app, clock.now());
  const end = clock.now();
  (app as unknown as { ready: boolean }).ready = false;
  await app.dispose();
  return { c, expected, end, checkpoints: () => sql(c.ledger, (db) => db.prepare('SELECT seq FROM checkpoints ORDER BY seq').all() as { seq: number }[]) };
}

describe('ledger export never writes over the ledger', () => {
  it('refuses the ledger, its -wal and a hard link to it as --tape, exit 2, leaving the bytes unchanged', async () => {
    const c = sqliteConfig(dir, 'export-self');
    const { app, clock } = await startOn(configOf(c.yaml, dir), T0);
    feed(app, clock, events.slice(0, 200));
    await app.dispose();
    const before = sha256(c.ledger);
    const cli = await runCli(['ledger', 'export', '--config', c.file, '--tape', c.ledger], dir);
    expect(cli.code, cli.stderr).toBe(2);
    expect(cli.stderr).toMatch(/ledger's own file/);
    expect(sha256(c.ledger)).toBe(before);
    const link = path.join(dir, 'alias.jsonl');
    linkSync(c.ledger, link);
    const reg = new PluginRegistry();
    for (const target of [`${c.ledger}-wal`, link, path.join(dir, '.', 'export-self.sqlite'), `${c.ledger}.lock`]) {
      await expect(ledgerCommand(['export', '--config', c.file, '--tape', target], reg)).rejects.toThrow(/ledger's own file/);
    }
    expect(sha256(c.ledger)).toBe(before);
    // An ordinary path still exports, and a missing directory is a usage error.
    await expect(ledgerCommand(['export', '--config', c.file, '--tape', path.join(dir, 'out.jsonl')], reg)).resolves.toBe(0);
    expect(readFileSync(path.join(dir, 'out.jsonl'), 'utf8').trim().split('\n')).toHaveLength(200);
    await expect(ledgerCommand(['export', '--config', c.file, '--tape', path.join(dir, 'missing', 'out.jsonl')], reg)).rejects.toThrow(/directory of --tape to exist/);
    await expect(ledgerCommand(['export', '--config', c.file, '--tape', dir], reg)).rejects.toThrow(/got a directory/);
  }, 60_000);
});

describe('a checkpoint that cannot be decoded', () => {
  it('falls back to the previous checkpoint, says so, and recovers the state of the uninterrupted run', async () => {
    const l = await ledgerWithCheckpoints('bad-cp');
    const cps = l.checkpoints();
    expect(cps.length).toBeGreaterThanOrEqual(2);
    const [previous, latest] = cps.slice(-2);
    sql(l.c.ledger, (db) => db.prepare("UPDATE checkpoints SET state = json_set(state, '$.parts.inventory.positions', 'oops') WHERE seq = ?").run(latest!.seq));
    const { app, clock, logs } = await startOn(configOf(l.c.yaml, dir), T0);
    expect(app.recovery!.fromCheckpointSeq).toBe(previous!.seq);
    expect(app.recovery!.skippedCheckpoints).toEqual([{ seq: latest!.seq, reason: expect.stringMatching(/parts\.inventory\.positions/) }]);
    expect(logs().some((x) => String(x.msg).includes('checkpoint cannot be used'))).toBe(true);
    expect(holdings(app, l.end)).toEqual(l.expected);
    expect(clock.now()).toBe(l.end);
    await app.dispose();
  });

  it('falls back to a full replay when no checkpoint is usable (one not even JSON)', async () => {
    const l = await ledgerWithCheckpoints('no-cp');
    const n = l.checkpoints().length;
    sql(l.c.ledger, (db) => {
      db.prepare("UPDATE checkpoints SET state = '{\"version\":1,\"seq\":1,\"at\":0,\"parts\":{}}'").run();
      db.prepare("UPDATE checkpoints SET state = '{not json' WHERE seq = (SELECT max(seq) FROM checkpoints)").run();
    });
    const { app } = await startOn(configOf(l.c.yaml, dir), T0);
    expect(app.recovery!.fromCheckpointSeq).toBe(0);
    expect(app.recovery!.skippedCheckpoints).toHaveLength(n);
    expect(app.recovery!.skippedCheckpoints[0]!.reason).toMatch(/is not JSON/);
    expect(holdings(app, l.end)).toEqual(l.expected);
    await app.dispose();
  });

  it('a failed start writes no checkpoint: the ledger is exactly as it was', async () => {
    const l = await ledgerWithCheckpoints('failed-start');
    // A record the decoder refuses makes recovery fail (LEDGER_CORRUPT naming it).
    sql(l.c.ledger, (db) => db.prepare("UPDATE events SET payload = json_set(payload, '$.side', 'SIDEWAYS') WHERE seq = (SELECT max(seq) FROM events WHERE type = 'fill')").run());
    const before = l.checkpoints();
    const app = App.create(configOf(l.c.yaml, dir), { clock: new VirtualClock(T0), withoutSources: true });
    await expect(app.start()).rejects.toThrow(/LEDGER_CORRUPT|record #\d+ \(fill\) cannot be decoded/);
    await app.dispose();
    expect(l.checkpoints()).toEqual(before);
  });
});

describe('ingest resumes exactly where the ledger ends', () => {
  it('resumes after the right copy of two identical lines, recording the event between them', async () => {
    const c = sqliteConfig(dir, 'resume');
    const tok = session.tokens[0]!;
    const at = '2026-01-01T00:00:05.000Z';
    const book = JSON.stringify({ at, kind: 'book', tokenId: tok, bids: [['0.4', '10']], asks: [['0.6', '10']] });
    const lines = [
      JSON.stringify({ at: '2026-01-01T00:00:00.000Z', kind: 'balance', source: 'chain', balances: { [tok]: '0' }, block: '1' }),
      book,
      JSON.stringify({ at, kind: 'submit', orderId: 'o1', tokenId: tok, side: 'BUY', price: '0.5', size: '10' }),
      book,
      JSON.stringify({ at: '2026-01-01T00:00:06.000Z', kind: 'query', tokenId: tok }),
    ];
    const first = path.join(dir, 'first.jsonl');
    const full = path.join(dir, 'full.jsonl');
    writeFileSync(first, `${lines.slice(0, 2).join('\n')}\n`); // "killed" right after the first book
    writeFileSync(full, `${lines.join('\n')}\n`);
    const a = await runCli(['ingest', '--config', c.file, '--tape', first], dir);
    expect(a.code, a.stderr).toBe(0);
    const b = await runCli(['ingest', '--config', c.file, '--tape', full], dir);
    expect(b.code, b.stderr).toBe(0);
    const done = JSON.parse(b.stderr.trim().split('\n').pop()!).done;
    expect(done).toMatchObject({ resumedAfterSeq: 2, skipped: 2, ingested: 2 });
    const types = sql(c.ledger, (db) => (db.prepare('SELECT type FROM events ORDER BY seq').all() as { type: string }[]).map((r) => r.type));
    expect(types).toEqual(['balance', 'book', 'submit', 'book']);
    const answer = JSON.parse(b.stdout.trim().split('\n')[0]!);
    expect(answer.positions[tok].pendingOrderBuys).toBe(10);
    // And a tape that is not the one the ledger was fed from is refused, naming the line.
    const other = path.join(dir, 'other.jsonl');
    copyFileSync(full, other);
    writeFileSync(other, readFileSync(other, 'utf8').replace('"size":"10"', '"size":"11"'));
    const c2 = sqliteConfig(dir, 'resume2');
    expect((await runCli(['ingest', '--config', c2.file, '--tape', first], dir)).code).toBe(0);
    writeFileSync(other, `${[lines[0], book.replace('"10"]]', '"12"]]'), ...lines.slice(2)].join('\n')}\n`);
    const bad = await runCli(['ingest', '--config', c2.file, '--tape', other], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/tape line 2: .*wrong tape for this ledger/);
  }, 120_000);
});
