/** File-specific behaviour of the sqlite ledger: commits, reopen, refusing bad files, the lock, read-only, disk full. */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { LedgerError } from '../../core/errors.ts';
import type { SqliteLedger } from '../../plugins/ledger/sqlite/sqlite-ledger.ts';
import { sqliteLedgerPlugin } from '../../plugins/ledger/sqlite/index.ts';
import { querySql } from '../../plugins/ledger/sqlite/sqlite-statements.ts';
import type { LedgerQuery, LedgerRecord } from '../../core/ledger/ledger.ts';
import { appendUntilFailed, codeOf, useSqliteFiles, fillRecord, pluginContext, T0, TOKEN_A, TOKEN_B } from './ledger-harness.ts';

const files = useSqliteFiles();
const { ledgerAt, committedCount } = files;

const sha = (p: string) => crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');

/** A closed ledger file with `n` fills, for the tests that damage a copy of one. */
function realLedger(n: number): void {
  const l = ledgerAt();
  l.open();
  for (let seq = 1; seq <= n; seq++) l.append(fillRecord(seq));
  l.close();
}

function openError(l: SqliteLedger): LedgerError {
  try {
    l.open();
  } catch (err) {
    expect(err).toBeInstanceOf(LedgerError);
    return err as LedgerError;
  }
  throw new Error('expected open() to fail');
}

describe('the sqlite ledger file', () => {
  it('sees everything flushed after reopening, and close flushes the rest', () => {
    const a = ledgerAt();
    a.open();
    for (let seq = 1; seq <= 5; seq++) a.append(fillRecord(seq));
    a.flush();
    a.append(fillRecord(6));
    a.close();
    const b = ledgerAt();
    expect(b.open()).toEqual({ lastSeq: 6 });
    expect(b.query({}).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('commits a group as soon as the buffer reaches maxBatch (posted by that append, which does not wait for it)', async () => {
    const l = ledgerAt({ groupCommit: { maxBatch: 10, intervalMs: 1000 } });
    l.open();
    for (let seq = 1; seq <= 9; seq++) l.append(fillRecord(seq));
    expect(committedCount()).toBe(0);
    l.append(fillRecord(10));
    await vi.waitFor(() => expect(committedCount()).toBe(10)); // no flush: the writer thread commits it
    l.flush();
    expect(l.bufferedCount).toBe(0);
  });

  it('commits a group when the interval elapses on the injected clock', async () => {
    const l = ledgerAt({ groupCommit: { maxBatch: 1000, intervalMs: 20 } });
    l.open();
    for (let seq = 1; seq <= 3; seq++) l.append(fillRecord(seq));
    files.clock.advanceBy(19);
    expect(committedCount()).toBe(0);
    files.clock.advanceBy(1);
    await vi.waitFor(() => expect(committedCount()).toBe(3));
  });

  it('streams records through iterate while group commits go on', () => {
    const l = ledgerAt({ groupCommit: { maxBatch: 2, intervalMs: 20 } });
    l.open();
    for (let seq = 1; seq <= 4; seq++) l.append(fillRecord(seq));
    const seen: number[] = [];
    let next = 5;
    for (const r of l.iterate(0)) {
      seen.push(r.seq);
      l.append(fillRecord(next++)); // commits every second append, on the writer connection
    }
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(l.query({}).length).toBe(8);
  });

  it('resolves a relative path against the config directory and applies defaults', () => {
    const config = sqliteLedgerPlugin.configSchema.parse({ kind: 'sqlite', path: 'data/l.sqlite' });
    expect(config).toMatchObject({ groupCommit: { maxBatch: 1000, intervalMs: 20 }, checkpointEverySeconds: 60, synchronous: 'normal', readOnly: false });
    const l = sqliteLedgerPlugin.create(config, pluginContext(files.clock, files.dir));
    files.closeAfter(l);
    expect(l.path).toBe(path.join(files.dir, 'data', 'l.sqlite'));
    l.open();
    expect(fs.existsSync(l.path)).toBe(true);
    expect(sqliteLedgerPlugin.configSchema.safeParse({ kind: 'sqlite', path: 'x', groupComit: {} }).success).toBe(false);
  });

  it('compacts after each checkpoint when retention is configured', () => {
    const l = ledgerAt({ retention: { keepSeconds: 5 } });
    l.open();
    for (let seq = 1; seq <= 10; seq++) l.append(fillRecord(seq)); // at = T0 + seq s
    l.writeCheckpoint({ seq: 10, at: T0 + 10_000, state: {} });
    expect(l.query({}).map((r) => r.seq)).toEqual([5, 6, 7, 8, 9, 10]);
  });
});

describe('the token dictionary and the indexes', () => {
  const TOKEN_C = '98765432109876543210987654321098765432109876543210987654321098765432109876543';
  const rec = (seq: number, tokenId: string | null, at = T0 + seq * 1000, type = 'fill'): LedgerRecord =>
    ({ seq, type, tokenId, at, payload: { kind: type, n: seq } });
  const rows = (sql: string) => {
    const db = new Database(files.file, { readonly: true });
    try {
      return db.prepare(sql).all();
    } finally {
      db.close();
    }
  };

  it('stores each token id once, as an integer in the events, and reads the decimal string back', () => {
    const a = ledgerAt({ groupCommit: { maxBatch: 3, intervalMs: 20 } });
    a.open();
    const first = [rec(1, TOKEN_A), rec(2, null, T0 + 2000, 'connection'), rec(3, TOKEN_B), rec(4, TOKEN_A), rec(5, TOKEN_B)];
    for (const r of first) a.append(r);
    expect(a.query({})).toEqual(first);
    expect(a.query({ tokenId: TOKEN_B }).map((r) => r.seq)).toEqual([3, 5]);
    expect(a.query({ tokenId: TOKEN_C })).toEqual([]); // not in the dictionary: matches nothing
    a.close();
    expect(rows('SELECT id, token_id FROM tokens ORDER BY id')).toEqual([{ id: 1, token_id: TOKEN_A }, { id: 2, token_id: TOKEN_B }]);
    expect(rows('SELECT seq, token FROM events ORDER BY seq')).toEqual([1, null, 2, 1, 2].map((token, i) => ({ seq: i + 1, token })));

    // Reopened: known tokens keep their ids, a new one takes the next id, none is stored twice.
    const b = ledgerAt();
    b.open();
    const second = [rec(6, TOKEN_C), rec(7, TOKEN_A)];
    for (const r of second) b.append(r);
    expect(b.query({ tokenId: TOKEN_A }).map((r) => r.seq)).toEqual([1, 4, 7]);
    expect(b.query({ tokenId: TOKEN_C, types: ['fill'] })).toEqual([second[0]]);
    expect([...b.iterate(4)]).toEqual([first[4], ...second]);
    b.close();
    expect(rows('SELECT id, token_id FROM tokens ORDER BY id')).toEqual([
      { id: 1, token_id: TOKEN_A }, { id: 2, token_id: TOKEN_B }, { id: 3, token_id: TOKEN_C },
    ]);
    const reader = ledgerAt({ readOnly: true });
    reader.open();
    expect(reader.query({ tokenId: TOKEN_C })).toEqual([second[0]]);
  });

  it('answers time ranges and the stats time span exactly when at goes backwards', () => {
    const l = ledgerAt();
    l.open();
    // at is not required to increase: no index assumes it.
    const all = [rec(1, TOKEN_A, T0 + 5000), rec(2, null, T0 + 1000, 'connection'), rec(3, TOKEN_B, T0 + 9000), rec(4, TOKEN_A, T0 + 3000), rec(5, null, T0 + 7000, 'connection')];
    for (const r of all) l.append(r);
    const s = l.stats();
    expect(s).toMatchObject({ count: 5, firstAt: T0 + 1000, lastAt: T0 + 9000, lastSeq: 5 });
    expect(s.byType).toEqual({ fill: 3, connection: 2 });
    expect(l.query({ fromAt: T0 + 3000, toAt: T0 + 7000 }).map((r) => r.seq)).toEqual([1, 4, 5]);
    expect(l.query({ types: ['connection'], toAt: T0 + 6000 }).map((r) => r.seq)).toEqual([2]);
    expect(l.query({ tokenId: TOKEN_A, fromAt: T0 + 4000 }).map((r) => r.seq)).toEqual([1]);
    expect(l.query({ fromAt: T0 + 2000, limit: 2 }).map((r) => r.seq)).toEqual([1, 3]);
  });

  it('reports an empty ledger\'s stats with no time span', () => {
    const l = ledgerAt();
    l.open();
    expect(l.stats()).toMatchObject({ count: 0, firstAt: null, lastAt: null, byType: {} });
  });

  it('keeps the two event indexes and finds token and type queries through them', () => {
    ledgerAt().open();
    expect(rows("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name")).toEqual([
      { name: 'events_token_at' }, { name: 'events_type_at' },
    ]);
    const db = new Database(files.file, { readonly: true });
    try {
      const plan = (q: LedgerQuery) => {
        const built = querySql(q)!;
        return (db.prepare(`EXPLAIN QUERY PLAN ${built.sql}`).all(...built.params) as { detail: string }[]).map((r) => r.detail).join('; ');
      };
      expect(plan({ tokenId: TOKEN_A })).toMatch(/USING INDEX events_token_at/);
      expect(plan({ tokenId: TOKEN_A, fromAt: T0 })).toMatch(/USING INDEX events_token_at \(token=\? AND at>\?\)/);
      expect(plan({ types: ['fill'], fromAt: T0, toAt: T0 + 1 })).toMatch(/USING INDEX events_type_at \(type=\? AND at>\? AND at<\?\)/);
      expect(plan({ fromSeq: 10 })).toMatch(/USING INTEGER PRIMARY KEY \(rowid>\?\)/);
    } finally {
      db.close();
    }
  });
});

describe('opening a file that is not a healthy ledger', () => {
  it('refuses a file that is not SQLite, naming it, and leaves it byte for byte', () => {
    fs.writeFileSync(files.file, 'this is a config file, not a ledger\n'.repeat(20));
    const before = sha(files.file);
    const err = openError(ledgerAt());
    expect(err.code).toBe('LEDGER_CORRUPT');
    expect(err.message).toContain(files.file);
    expect(sha(files.file)).toBe(before);
    expect(fs.existsSync(`${files.file}.lock`)).toBe(false);
  });

  it('refuses a truncated ledger and leaves it unchanged', () => {
    realLedger(3000);
    const size = fs.statSync(files.file).size;
    fs.truncateSync(files.file, Math.floor(size / 2 / 16384) * 16384);
    const before = sha(files.file);
    expect(openError(ledgerAt()).code).toBe('LEDGER_CORRUPT');
    expect(sha(files.file)).toBe(before);
  });

  it('refuses a ledger with garbage written over its pages and leaves it unchanged', () => {
    realLedger(3000);
    const fd = fs.openSync(files.file, 'r+');
    fs.writeSync(fd, crypto.randomBytes(16384 * 3), 0, 16384 * 3, 16384 * 2);
    fs.closeSync(fd);
    const before = sha(files.file);
    const err = openError(ledgerAt());
    expect(err.code).toBe('LEDGER_CORRUPT');
    expect(err.message).toMatch(/quick_check|malformed|cannot be read/);
    expect(sha(files.file)).toBe(before);
  });

  it('refuses a ledger written by a newer schema version', () => {
    realLedger(10);
    const db = new Database(files.file);
    db.pragma('user_version = 99');
    db.close();
    const before = sha(files.file);
    const err = openError(ledgerAt());
    expect(err.code).toBe('LEDGER_SCHEMA_NEWER');
    expect(err.message).toMatch(/expected schema version ≤ 2, got 99/);
    expect(sha(files.file)).toBe(before);
  });

  it('refuses a ledger of the older schema version 1, naming both versions and what to do', () => {
    // The version-1 layout as that polyquote wrote it: token ids as text in events, an (at) index.
    const db = new Database(files.file);
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    db.exec(`
      CREATE TABLE events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, token_id TEXT, at INTEGER NOT NULL, payload TEXT NOT NULL);
      CREATE INDEX events_type_at ON events(type, at);
      CREATE INDEX events_token_at ON events(token_id, at);
      CREATE INDEX events_at ON events(at);
      CREATE TABLE checkpoints (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, state TEXT NOT NULL);
      CREATE TABLE gaps (id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, reason TEXT NOT NULL, detected_at INTEGER NOT NULL,
        detected_seq INTEGER NOT NULL, resolved_at INTEGER, resolved_by_seq INTEGER, resolution TEXT);
      CREATE INDEX gaps_open ON gaps(resolved_at);
      PRAGMA application_id = ${0x50514c47};
      PRAGMA user_version = 1;
    `);
    const f = fillRecord(1);
    db.prepare('INSERT INTO events (seq, type, token_id, at, payload) VALUES (?, ?, ?, ?, ?)').run(f.seq, f.type, f.tokenId, f.at, JSON.stringify(f.payload));
    db.close(); // checkpoints the WAL: the file is complete on its own
    const before = sha(files.file);
    for (const readOnly of [false, true]) {
      const err = openError(ledgerAt({ readOnly }));
      expect(err.code).toBe('LEDGER_SCHEMA_OLDER');
      expect(err.message).toContain(files.file);
      expect(err.message).toMatch(/older polyquote \(expected schema version 2, got 1\)/);
      expect(err.message).toMatch(/export it .*polyquote ledger export.*or start a new ledger/);
      expect(sha(files.file)).toBe(before);
      expect(fs.existsSync(`${files.file}.lock`)).toBe(false);
    }
  });

  it('refuses a SQLite database that is not a polyquote ledger', () => {
    const db = new Database(files.file);
    db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY)');
    db.close();
    expect(openError(ledgerAt()).code).toBe('LEDGER_FOREIGN');
  });
});

describe('the writer lock', () => {
  it('refuses a second writer, naming the pid that holds the ledger', () => {
    ledgerAt().open();
    const err = openError(ledgerAt());
    expect(err.code).toBe('LEDGER_LOCKED');
    expect(err.message).toContain(`pid ${process.pid} on ${os.hostname()}`);
  });

  it('takes over a lock left by a dead process on this host', () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    fs.writeFileSync(`${files.file}.lock`, JSON.stringify({ pid: dead, hostname: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const l = ledgerAt();
    expect(l.open()).toEqual({ lastSeq: 0 });
    expect(JSON.parse(fs.readFileSync(`${files.file}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    l.close();
    expect(fs.existsSync(`${files.file}.lock`)).toBe(false);
  });

  it('never judges a lock from another host stale', () => {
    fs.writeFileSync(`${files.file}.lock`, JSON.stringify({ pid: 1, hostname: 'some-other-host', startedAt: '2026-01-01T00:00:00.000Z' }));
    const err = openError(ledgerAt());
    expect(err.code).toBe('LEDGER_LOCKED');
    expect(err.message).toContain('pid 1 on some-other-host');
  });

  it('opens read-only beside a running writer, sees its commits and refuses writes', () => {
    const writer = ledgerAt();
    writer.open();
    for (let seq = 1; seq <= 3; seq++) writer.append(fillRecord(seq));
    writer.flush();
    const reader = ledgerAt({ readOnly: true });
    expect(reader.open()).toEqual({ lastSeq: 3 });
    expect(reader.query({}).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect([...reader.iterate(1)].map((r) => r.seq)).toEqual([2, 3]);
    expect(codeOf(() => reader.append(fillRecord(4)))).toBe('LEDGER_READ_ONLY');
    reader.close();
    expect(fs.existsSync(`${files.file}.lock`)).toBe(true);
    writer.append(fillRecord(4));
  });

  it('a read-only open that fails after connecting leaves the ledger closed: opening again fails again', () => {
    // A polyquote identity on a file without the ledger's tables: the header checks pass, the statements do not.
    const db = new Database(files.file);
    db.pragma('application_id = 0x50514c47');
    db.pragma('user_version = 2');
    db.exec('CREATE TABLE unrelated (x)');
    db.close();
    const reader = ledgerAt({ readOnly: true });
    expect(openError(reader).code).toBe('LEDGER_OPEN_FAILED');
    expect(openError(reader).code).toBe('LEDGER_OPEN_FAILED');
    expect(codeOf(() => reader.query({}))).toBe('LEDGER_NOT_OPEN');
  });

  it('refuses a read-only open of a missing ledger without creating it', () => {
    expect(openError(ledgerAt({ readOnly: true })).code).toBe('LEDGER_NOT_FOUND');
    expect(fs.existsSync(files.file)).toBe(false);
  });
});

describe('a write failure (SQLITE_FULL)', () => {
  it('fails the ledger once, refuses appends and keeps the unwritten records buffered', () => {
    const l = ledgerAt({ groupCommit: { maxBatch: 100, intervalMs: 20 }, maxSizeBytes: 40 * 16384 });
    const { seq, error, failures } = appendUntilFailed(l);
    expect(error.code).toBe('LEDGER_FAILED');
    expect((error.cause as { code: string }).code).toBe('SQLITE_FULL');
    const committed = committedCount();
    // The group that did not fit, and what was appended while its COMMIT was in flight (at most one
    // more group: the append closing it waits for the first, and the throwing record is refused).
    const kept = seq - 1 - committed;
    expect(committed % 100).toBe(0);
    expect(kept).toBeGreaterThanOrEqual(100);
    expect(kept).toBeLessThan(200);
    expect(l.bufferedCount).toBe(kept);
    expect(codeOf(() => l.append(fillRecord(seq + 1)))).toBe('LEDGER_FAILED');
    files.clock.advanceBy(100); // timer ticks do not retry or report again
    expect(codeOf(() => l.flush())).toBe('LEDGER_FAILED'); // an explicit retry still cannot write them
    expect(l.bufferedCount).toBe(kept);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toContain('SQLITE_FULL');
    expect(codeOf(() => l.close())).toBe('LEDGER_FAILED');
    expect(fs.existsSync(`${files.file}.lock`)).toBe(false);
    const after = ledgerAt();
    expect(after.open()).toEqual({ lastSeq: committed }); // what was lost is a suffix, never a hole
    expect(committed).toBe(seq - 1 - kept);
  });
});
