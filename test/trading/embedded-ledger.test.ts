/**
 * An embedded run starts a new simulated world, so an earlier run's ledger is set aside (renamed,
 * never deleted) — unless a live engine holds it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setAsideEarlierWorld } from '../../app/run/embedded-ledger.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pq-world-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('setAsideEarlierWorld', () => {
  it('does nothing when there is no ledger yet', () => {
    expect(setAsideEarlierWorld(path.join(dir, 'none.sqlite'))).toBeUndefined();
  });

  it('moves the ledger and its WAL, shm and ingest journal together, bytes unchanged, and releases the lock', () => {
    const file = path.join(dir, 'a.sqlite');
    for (const [suffix, text] of [['', 'db'], ['-wal', 'wal'], ['-shm', 'shm'], ['.ingest.jsonl', 'journal']] as const) fs.writeFileSync(file + suffix, text);
    const moved = setAsideEarlierWorld(file, new Date(Date.UTC(2026, 11, 1, 12, 0, 0)))!;
    expect(moved).toBe(path.join(dir, 'a.2026-12-01T12-00-00-000Z.sqlite'));
    expect(fs.readFileSync(moved, 'utf8')).toBe('db');
    expect(fs.readFileSync(`${moved}-wal`, 'utf8')).toBe('wal');
    expect(fs.readFileSync(`${moved}-shm`, 'utf8')).toBe('shm');
    expect(fs.readFileSync(`${moved}.ingest.jsonl`, 'utf8')).toBe('journal');
    for (const suffix of ['', '-wal', '-shm', '.ingest.jsonl', '.lock']) expect(fs.existsSync(file + suffix)).toBe(false);
    // A second set-aside in the same millisecond never overwrites the first.
    fs.writeFileSync(file, 'db2');
    const again = setAsideEarlierWorld(file, new Date(Date.UTC(2026, 11, 1, 12, 0, 0)))!;
    expect(again).not.toBe(moved);
    expect(fs.readFileSync(again, 'utf8')).toBe('db2');
    expect(fs.readFileSync(moved, 'utf8')).toBe('db');
  });

  it('leaves a ledger alone while a live engine holds its lock, and takes over a dead one', async () => {
    const file = path.join(dir, 'held.sqlite');
    fs.writeFileSync(file, 'live');
    // A live process (not us) owns the lock.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(`${file}.lock`, `${JSON.stringify({ pid: child.pid, hostname: os.hostname(), startedAt: new Date().toISOString() })}\n`);
      expect(() => setAsideEarlierWorld(file)).toThrow(/LEDGER_LOCKED|locked|held/i);
      expect(fs.readFileSync(file, 'utf8')).toBe('live');
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    // Its owner is gone: the lock is stale, the ledger is set aside.
    const moved = setAsideEarlierWorld(file)!;
    expect(fs.readFileSync(moved, 'utf8')).toBe('live');
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });
});
