/** The sqlite ledger's writer thread: streamed groups, failures seen from the engine thread, crash and close. */
import fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { LedgerError } from '../../core/errors.ts';
import type { SqliteLedger } from '../../plugins/ledger/sqlite/sqlite-ledger.ts';
import { appendUntilFailed, codeOf, useSqliteFiles, fillRecord, T0, TOKEN_A, TOKEN_B } from './ledger-harness.ts';

const files = useSqliteFiles();
const { ledgerAt, committedCount } = files;

/** The ledger's writer thread (private), to kill it the way a bug or the OS would. */
const workerOf = (l: SqliteLedger) => (l as unknown as { writer: { worker: Worker } }).writer.worker;

describe('the writer thread', () => {
  it('streams rows into the open group but shows nothing to readers before the commit', async () => {
    const l = ledgerAt({ groupCommit: { maxBatch: 1000, intervalMs: 20 } });
    l.open();
    for (let seq = 1; seq <= 900; seq++) l.append(fillRecord(seq)); // 14 full chunks: 12 streamed
    expect(committedCount()).toBe(0);
    expect(l.bufferedCount).toBe(900);
    l.flush();
    expect(committedCount()).toBe(900);
    for (let seq = 901; seq <= 2500; seq++) l.append(fillRecord(seq)); // one size-triggered commit at 1900, posted
    await vi.waitFor(() => expect(committedCount()).toBe(1900));
    expect(l.query({ fromSeq: 1890, toSeq: 2010 }).map((r) => r.seq)).toEqual(Array.from({ length: 121 }, (_, i) => 1890 + i));
    l.close();
    expect(committedCount()).toBe(2500);
  });

  it('reports SQLITE_FULL of a streamed chunk at the commit, once, keeping the whole group', () => {
    const l = ledgerAt({ groupCommit: { maxBatch: 1000, intervalMs: 20 }, maxSizeBytes: 60 * 16384 });
    const { seq, error, failures } = appendUntilFailed(l);
    expect(error.code).toBe('LEDGER_FAILED');
    expect((error.cause as { code: string }).code).toBe('SQLITE_FULL');
    // Reported by an append after the group's commit was answered (never by a streamed chunk), at
    // the latest by the one closing the next group; the failed group and what followed are kept.
    const committed = committedCount();
    expect(committed % 1000).toBe(0);
    expect(seq - 1 - committed).toBeGreaterThanOrEqual(1000);
    expect(seq - 1 - committed).toBeLessThan(2000);
    expect(l.bufferedCount).toBe(seq - 1 - committed);
    expect(codeOf(() => l.append(fillRecord(seq + 1)))).toBe('LEDGER_FAILED');
    expect(codeOf(() => l.flush())).toBe('LEDGER_FAILED'); // the retry resends the whole group, still too big
    expect(l.query({ fromSeq: committed - 2 }).map((r) => r.seq)).toEqual([committed - 2, committed - 1, committed]); // reads show what is on disk
    expect(committedCount()).toBe(committed); // a failed retry never leaves part of the group behind
    expect(failures).toHaveLength(1);
    expect(codeOf(() => l.close())).toBe('LEDGER_FAILED');
    expect(fs.existsSync(`${files.file}.lock`)).toBe(false);
    expect(ledgerAt().open()).toEqual({ lastSeq: committed });
  });

  it('resends the group\'s new dictionary rows with its rows when a commit is retried', () => {
    const l = ledgerAt({ groupCommit: { maxBatch: 1000, intervalMs: 20 } });
    l.open();
    for (let seq = 1; seq <= 10; seq++) l.append(fillRecord(seq, TOKEN_A));
    l.flush();
    // TOKEN_B first appears in this group, in a chunk streamed (and inserted) before the commit fails.
    for (let seq = 11; seq <= 400; seq++) l.append(fillRecord(seq, seq % 2 ? TOKEN_A : TOKEN_B));
    const writer = (l as unknown as { writer: { commit: (...args: unknown[]) => unknown } }).writer;
    const commit = writer.commit.bind(writer);
    writer.commit = () => {
      writer.commit = commit;
      throw new Error('injected: the answer was lost');
    };
    expect(codeOf(() => l.flush())).toBe('LEDGER_FAILED');
    expect(committedCount()).toBe(10);
    l.flush(); // the retry rolls back what was streamed and resends every row and dictionary row of the group
    expect(l.bufferedCount).toBe(0);
    expect(codeOf(() => l.append(fillRecord(401)))).toBe('LEDGER_FAILED'); // failed once, the ledger stays failed
    l.close();
    const again = ledgerAt();
    expect(again.open()).toEqual({ lastSeq: 400 });
    expect(again.query({ tokenId: TOKEN_B }).map((r) => r.seq)).toEqual(Array.from({ length: 195 }, (_, i) => 12 + 2 * i));
    expect(again.query({ tokenId: TOKEN_A })).toHaveLength(205);
    expect(again.query({ fromSeq: 11, toSeq: 12 }).map((r) => r.tokenId)).toEqual([TOKEN_A, TOKEN_B]);
  });

  it('fails the ledger when the thread dies during a commit: flush throws LEDGER_FAILED, listeners hear it once', () => {
    const l = ledgerAt();
    l.open();
    const failures: Error[] = [];
    l.onFailure((e) => failures.push(e));
    for (let seq = 1; seq <= 10; seq++) l.append(fillRecord(seq));
    l.flush();
    l.append(fillRecord(11));
    workerOf(l).postMessage({ op: 'no such op' }); // a bug in the thread: it throws and ends
    let thrown: unknown;
    try {
      l.flush();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(LedgerError);
    expect((thrown as LedgerError).code).toBe('LEDGER_FAILED');
    expect((thrown as LedgerError).message).toMatch(/writer thread died .*unknown message/);
    expect(codeOf(() => l.append(fillRecord(12)))).toBe('LEDGER_FAILED');
    expect(codeOf(() => l.flush())).toBe('LEDGER_FAILED');
    expect(failures).toHaveLength(1);
    expect(codeOf(() => l.close())).toBe('LEDGER_FAILED'); // record 11 was never written
    expect(fs.existsSync(`${files.file}.lock`)).toBe(false);
    expect(ledgerAt().open()).toEqual({ lastSeq: 10 });
  });

  it('fails the ledger when the thread ends while the engine is idle', async () => {
    const l = ledgerAt();
    l.open();
    const failures: Error[] = [];
    l.onFailure((e) => failures.push(e));
    l.append(fillRecord(1));
    await workerOf(l).terminate();
    await new Promise((r) => setImmediate(r));
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toMatch(/writer thread exited/);
    expect(codeOf(() => l.append(fillRecord(2)))).toBe('LEDGER_FAILED');
    expect(codeOf(() => l.flush())).toBe('LEDGER_FAILED');
    expect(failures).toHaveLength(1);
    expect(codeOf(() => l.close())).toBe('LEDGER_FAILED');
    expect(fs.existsSync(`${files.file}.lock`)).toBe(false);
  });

  it('joins the thread and releases the lock on close; flush after close is LEDGER_NOT_OPEN', async () => {
    const l = ledgerAt();
    l.open();
    const worker = workerOf(l);
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    for (let seq = 1; seq <= 5; seq++) l.append(fillRecord(seq));
    l.close();
    expect(fs.existsSync(`${files.file}.lock`)).toBe(false);
    expect(fs.existsSync(`${files.file}-wal`)).toBe(false); // the writer closed last and checkpointed the WAL
    await exited;
    expect(codeOf(() => l.flush())).toBe('LEDGER_NOT_OPEN');
    expect(codeOf(() => l.append(fillRecord(6)))).toBe('LEDGER_NOT_OPEN');
    const again = ledgerAt();
    expect(again.open()).toEqual({ lastSeq: 5 });
  });
});
