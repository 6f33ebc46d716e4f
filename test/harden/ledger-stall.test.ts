/**
 * The ledger never blocks the engine thread waiting for a COMMIT: the append that closes a group
 * posts its commit and returns; only flush() (or a second group closing while the first is still
 * in flight: real backpressure) waits. Proven with the file's write lock held by another connection,
 * so no COMMIT can finish until the test lets it.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock.ts';
import { SqliteLedger } from '../../plugins/ledger/sqlite/index.ts';
import { tempDir } from './support.ts';

const { dir, cleanup } = tempDir('pq-harden-stall-');
afterAll(cleanup);

const rec = (seq: number) => ({ seq, type: 'gap', tokenId: null, at: 1_000 + seq, payload: { at: new Date(1_000 + seq).toISOString(), kind: 'gap', channel: 'user' } });

describe('group commit', () => {
  it('the append that closes a group returns while its COMMIT cannot finish; flush waits for it', () => {
    const file = path.join(dir, 'stall.sqlite');
    const ledger = new SqliteLedger({ path: file, clock: new VirtualClock(0), groupCommit: { maxBatch: 100, intervalMs: 20 } });
    ledger.open();
    for (let s = 1; s <= 100; s++) ledger.append(rec(s));
    ledger.flush();
    const blocker = new Database(file);
    blocker.exec('BEGIN IMMEDIATE'); // holds the write lock: the writer thread's COMMIT must wait
    const t0 = performance.now();
    for (let s = 101; s <= 200; s++) ledger.append(rec(s)); // the 200th closes a group
    const took = performance.now() - t0;
    expect(ledger.committing).toBe(true);
    expect(took).toBeLessThan(1_000);
    blocker.exec('ROLLBACK');
    blocker.close();
    ledger.flush();
    expect(ledger.committing).toBe(false);
    expect(ledger.stats().count).toBe(200);
    ledger.close();
    const check = new Database(file, { readonly: true });
    expect((check.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(200);
    check.close();
  });
});
