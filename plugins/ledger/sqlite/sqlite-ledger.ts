/**
 * The event ledger in a SQLite file (WAL). append() only validates and buffers; a group commit writes
 * the buffer in one transaction when it holds `maxBatch` records or when the `intervalMs` timer of
 * the injected clock fires (on a virtual clock nothing fires while idle: the engine calls flush()).
 *
 * Durability: `synchronous=NORMAL` in WAL mode fsyncs the WAL only when it is checkpointed, so a
 * committed group survives a process crash at once and a power cut once the WAL is checkpointed (at
 * every engine checkpoint, here, and every ~1000 WAL pages by SQLite). At risk on a power cut: the
 * buffer (≤ maxBatch records / intervalMs) plus groups committed since the last WAL checkpoint; what
 * is lost is always a suffix of seqs, never a hole. `synchronous: 'full'` shrinks that to the buffer,
 * for one fsync per group commit. docs/ledger.md has the whole contract.
 *
 * Failure: a write error (SQLITE_FULL, SQLITE_IOERR …) marks the ledger failed, calls the onFailure
 * listeners once, and makes append() throw LEDGER_FAILED. Records in the buffer are kept: flush()
 * retries writing them, but the ledger stays failed (events refused meanwhile would be a hole).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Clock, TimerHandle } from '../../../core/clock.ts';
import { LedgerError } from '../../../core/errors.ts';
import type { Checkpoint, GapRecord, Ledger, LedgerQuery, LedgerRecord, LedgerStats } from '../../../core/ledger/ledger.ts';
import type { Logger } from '../../../core/logger.ts';
import { checkQuery, encodeCheckpoint, encodeRecord, FailureListeners, KEEP_CHECKPOINTS, notOpen } from '../ledger-rules.ts';
import { LockFile } from './lock-file.ts';
import { checkHeader, SCHEMA_SQL, verifyExisting } from './sqlite-schema.ts';
import { LedgerStatements, toRecord, type EventRow, type PendingRow } from './sqlite-statements.ts';

export interface SqliteLedgerOptions {
  /** Absolute path of the ledger file. */
  readonly path: string;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly groupCommit?: { readonly maxBatch: number; readonly intervalMs: number };
  readonly checkpointEverySeconds?: number;
  /** When set, each checkpoint compacts what is older than `keepSeconds` before it. */
  readonly retention?: { readonly keepSeconds?: number | undefined };
  readonly synchronous?: 'normal' | 'full';
  /** Caps the file (PRAGMA max_page_count); reaching it is a write failure like a full disk. */
  readonly maxSizeBytes?: number;
  /** Opens without the lock, for inspect/export beside a running engine; every write throws LEDGER_READ_ONLY. */
  readonly readOnly?: boolean;
}

/** Page size of new files: fewer, larger pages cut B-tree overhead for the three event indexes. */
const PAGE_SIZE = 16384;

export class SqliteLedger implements Ledger {
  readonly name: string;
  readonly path: string;
  readonly checkpointEverySeconds: number;
  readonly readOnly: boolean;
  private readonly maxBatch: number;
  private readonly intervalMs: number;
  private db: Database.Database | undefined;
  private stmts!: LedgerStatements;
  private writeBatch!: (rows: readonly PendingRow[], extra?: () => void) => void;
  private lock: LockFile | undefined;
  private timer: TimerHandle | undefined;
  private buffer: PendingRow[] = [];
  private lastSeq = 0;
  private latestCheckpointSeq: number | undefined;
  private readonly failures = new FailureListeners();

  constructor(private readonly options: SqliteLedgerOptions) {
    this.path = options.path;
    this.readOnly = options.readOnly ?? false;
    this.name = `ledger ${options.path}${this.readOnly ? ' (read-only)' : ''}`;
    this.checkpointEverySeconds = options.checkpointEverySeconds ?? 60;
    this.maxBatch = options.groupCommit?.maxBatch ?? 1000;
    this.intervalMs = options.groupCommit?.intervalMs ?? 20;
  }

  open(): { lastSeq: number } {
    if (this.db) return { lastSeq: this.lastSeq };
    const file = this.path;
    if (this.readOnly) {
      if (checkHeader(file) !== 'sqlite' || verifyExisting(file) === 0) {
        throw new LedgerError('LEDGER_NOT_FOUND', `ledger ${file} does not exist or holds no ledger yet`);
      }
      try {
        this.attach(new Database(file, { readonly: true, fileMustExist: true }));
      } catch (err) {
        throw new LedgerError('LEDGER_OPEN_FAILED', `cannot open ledger ${file} read-only: ${(err as Error).message}`, { cause: err });
      }
      return { lastSeq: this.lastSeq };
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const kind = checkHeader(file);
    const lock = LockFile.acquire(file);
    let db: Database.Database | undefined;
    try {
      const version = kind === 'sqlite' ? verifyExisting(file) : 0;
      db = new Database(file);
      if (version === 0) db.pragma(`page_size = ${PAGE_SIZE}`);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${this.options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma('cache_size = -65536');
      if (version === 0) db.exec(`BEGIN; ${SCHEMA_SQL} COMMIT;`);
      if (this.options.maxSizeBytes !== undefined) {
        db.pragma(`max_page_count = ${Math.max(1, Math.floor(this.options.maxSizeBytes / (db.pragma('page_size', { simple: true }) as number)))}`);
      }
      this.attach(db);
    } catch (err) {
      db?.close();
      this.db = undefined;
      lock.release();
      if (err instanceof LedgerError) throw err;
      throw new LedgerError('LEDGER_OPEN_FAILED', `cannot open ledger ${file}: ${(err as Error).message}`, { cause: err });
    }
    this.lock = lock;
    this.timer = this.options.clock.every(this.intervalMs, () => this.commitOnTimer());
    return { lastSeq: this.lastSeq };
  }

  append(record: LedgerRecord): void {
    const failed = this.failures.failed;
    if (failed) throw failed;
    this.assertWritable();
    const json = encodeRecord(this.name, record, this.lastSeq);
    this.buffer.push({ seq: record.seq, type: record.type, tokenId: record.tokenId, at: record.at, json });
    this.lastSeq = record.seq;
    if (this.buffer.length >= this.maxBatch) this.commit();
  }

  flush(): void {
    this.assertOpen();
    if (!this.readOnly) this.commit();
  }

  query(q: LedgerQuery): LedgerRecord[] {
    this.prepareRead();
    checkQuery(this.name, q);
    return this.stmts.query(q);
  }

  iterate(afterSeq: number): Iterable<LedgerRecord> {
    this.prepareRead();
    return this.streamAfter(afterSeq);
  }

  writeCheckpoint(cp: Checkpoint): void {
    this.assertWritable();
    const state = encodeCheckpoint(this.name, cp, this.lastSeq, this.latestCheckpointSeq);
    // The buffer goes in the same transaction: a stored checkpoint never covers events not on disk.
    this.commit(() => this.stmts.upsertCheckpoint.run(cp.seq, cp.at, state));
    this.latestCheckpointSeq = cp.seq;
    try {
      this.db!.pragma('wal_checkpoint(PASSIVE)'); // fsyncs the WAL: bounds the power-cut window to one checkpoint period
    } catch (err) {
      throw this.fail(err);
    }
    const keep = this.options.retention?.keepSeconds;
    if (keep !== undefined) this.compact(cp.at - keep * 1000);
  }

  latestCheckpoint(): Checkpoint | undefined {
    this.prepareRead();
    const row = this.stmts.latestCheckpoint.get() as { seq: number; at: number; state: string } | undefined;
    return row && { seq: row.seq, at: row.at, state: JSON.parse(row.state) as unknown };
  }

  recordGap(gap: { channel: string; reason: string; detectedAt: number; detectedSeq: number }): number {
    this.assertWritable();
    let id = 0;
    this.commit(() => {
      id = Number(this.stmts.insertGap.run(gap.channel, gap.reason, gap.detectedAt, gap.detectedSeq).lastInsertRowid);
    });
    return id;
  }

  resolveGaps(resolution: { resolvedAt: number; resolvedBySeq: number; resolution: string }): number {
    this.assertWritable();
    let n = 0;
    this.commit(() => {
      n = this.stmts.resolveGaps.run(resolution.resolvedAt, resolution.resolvedBySeq, resolution.resolution).changes;
    });
    return n;
  }

  openGaps(): GapRecord[] {
    this.prepareRead();
    return this.stmts.gapsOpen();
  }

  stats(): LedgerStats {
    this.prepareRead();
    const s = this.stmts.summary.get() as { count: number; firstAt: number | null; lastAt: number | null };
    const byType: Record<string, number> = {};
    for (const r of this.stmts.byType.all() as { type: string; n: number }[]) byType[r.type] = r.n;
    const cp = this.stmts.latestCheckpoint.get() as { seq: number; at: number } | undefined;
    return {
      count: s.count, firstAt: s.firstAt, lastAt: s.lastAt, lastSeq: this.lastSeq, byType,
      openGaps: this.stmts.gapsOpen(), lastCheckpoint: cp ? { seq: cp.seq, at: cp.at } : null,
    };
  }

  compact(beforeAt: number): number {
    this.assertWritable();
    let n = 0;
    this.commit(() => {
      const cp = this.stmts.latestCheckpoint.get() as { seq: number } | undefined;
      this.stmts.pruneCheckpoints.run(KEEP_CHECKPOINTS);
      this.stmts.pruneGaps.run(beforeAt);
      if (cp) n = this.stmts.pruneEvents.run(cp.seq, beforeAt).changes;
    });
    return n;
  }

  onFailure(listener: (err: Error) => void): void {
    this.failures.add(listener);
  }

  close(): void {
    if (!this.db) return;
    try {
      if (!this.readOnly && this.buffer.length > 0) this.commit();
    } finally {
      this.timer?.cancel();
      this.timer = undefined;
      this.db.close();
      this.db = undefined;
      this.lock?.release();
      this.lock = undefined;
    }
  }

  /** Records appended but not yet committed (for health reporting). */
  get bufferedCount(): number {
    return this.buffer.length;
  }

  private attach(db: Database.Database): void {
    this.db = db;
    this.stmts = new LedgerStatements(db, this.readOnly);
    const tx = db.transaction((rows: readonly PendingRow[], extra?: () => void) => {
      this.stmts.insertRows(rows);
      extra?.();
    });
    this.writeBatch = (rows, extra) => tx(rows, extra);
    const cp = this.stmts.latestCheckpoint.get() as { seq: number } | undefined;
    const last = (this.stmts.lastEventSeq.get() as { seq: number | null }).seq ?? 0;
    // Compaction may have deleted every event up to the latest checkpoint; its seq still counts.
    this.lastSeq = Math.max(last, cp?.seq ?? 0);
    this.latestCheckpointSeq = cp?.seq;
  }

  /** Writes the buffer (and `extra`) in one transaction; the buffer is emptied only once it is on disk. */
  private commit(extra?: () => void): void {
    if (this.buffer.length === 0 && !extra) return;
    const rows = this.buffer;
    try {
      this.writeBatch(rows, extra);
    } catch (err) {
      throw this.fail(err);
    }
    if (this.buffer === rows) this.buffer = [];
  }

  private commitOnTimer(): void {
    if (this.failures.failed || !this.db || this.buffer.length === 0) return;
    try {
      this.commit();
    } catch {
      // Already reported through fail(): onFailure listeners and the log. A timer must not throw.
    }
  }

  private fail(err: unknown): LedgerError {
    const code = (err as { code?: unknown }).code;
    const e = new LedgerError(
      'LEDGER_FAILED',
      `${this.name}: write failed (${typeof code === 'string' ? `${code}: ` : ''}${(err as Error).message}); ` +
        `${this.buffer.length} buffered records are kept in memory, not written; further appends are refused`,
      { cause: err },
    );
    if (this.failures.fail(e)) this.options.logger?.error({ err: e.message, buffered: this.buffer.length }, 'ledger write failed');
    return e;
  }

  private *streamAfter(afterSeq: number): Generator<LedgerRecord> {
    // Its own read connection: WAL gives it a stable snapshot, and group commits on the main
    // connection go on while a consumer (export) awaits between records.
    const reader = new Database(this.path, { readonly: true, fileMustExist: true });
    try {
      const stmt = reader.prepare('SELECT seq, type, token_id, at, payload FROM events WHERE seq > ? ORDER BY seq');
      for (const row of stmt.iterate(afterSeq)) yield toRecord(row as EventRow);
    } finally {
      reader.close();
    }
  }

  /** Reads see everything appended: commit the buffer first, unless failed (then: what is on disk). */
  private prepareRead(): void {
    this.assertOpen();
    if (!this.readOnly && !this.failures.failed) this.commit();
  }

  private assertOpen(): void {
    if (!this.db) throw notOpen(this.name);
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.readOnly) throw new LedgerError('LEDGER_READ_ONLY', `${this.name}: expected a writable ledger, got one opened read-only`, { errorClass: 'non-retryable' });
    const failed = this.failures.failed;
    if (failed) throw failed;
  }
}
