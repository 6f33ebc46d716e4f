/**
 * The event ledger in a SQLite file (WAL). append() only validates and buffers; a group commit writes
 * the buffer in one transaction when it holds `maxBatch` records or when the `intervalMs` timer of
 * the injected clock fires (on a virtual clock nothing fires while idle: the engine calls flush()).
 * The SQLite writes run on a writer thread (writer-thread.ts, writer.worker.mjs): full chunks of the
 * buffer are streamed to it as they fill. The commit that closes a group (maxBatch reached, or the
 * interval timer) is posted without waiting: its rows stay held, in flight, until its answer is read
 * on a later append — the engine thread waits only under real backpressure (a second group closing
 * while the first is still in flight). flush(), checkpoints, gap writes, reads and close() wait for
 * everything in flight, so when they return the records are on disk exactly as if written here.
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
import type Database from 'better-sqlite3';
import type { TimerHandle } from '../../../core/clock.ts';
import { LedgerError } from '../../../core/errors.ts';
import type { Checkpoint, EncodedLedgerRecord, GapRecord, Ledger, LedgerQuery, LedgerRecord, LedgerStats } from '../../../core/ledger/ledger.ts';
import { checkQuery, decodeCheckpointState, encodeCheckpoint, encodeRecord, FailureListeners, KEEP_CHECKPOINTS, notOpen } from '../ledger-rules.ts';
import type { LockFile } from './lock-file.ts';
import { openReadOnly, openWritable } from './sqlite-open.ts';
import type { SqliteLedgerOptions } from './sqlite-options.ts';
import { INSERT_CHUNK, LedgerStatements, streamRecordsAfter } from './sqlite-statements.ts';
import type { CommitExtra, WriterThread } from './writer-thread.ts';

export type { SqliteLedgerOptions } from './sqlite-options.ts';

/** Full chunks are streamed to the writer thread this many at a time (2 × 64 = 128 rows a message: fewer than 1 append in 100 pays for a post, so p99 stays the bare append; 1 chunk measured the same throughput with p99 ~11 µs). */
const STREAM_CHUNKS = 2;
const COLUMNS = 5;

export class SqliteLedger implements Ledger {
  readonly name: string;
  readonly path: string;
  readonly checkpointEverySeconds: number;
  readonly readOnly: boolean;
  private readonly maxBatch: number;
  private readonly intervalMs: number;
  /** Read connection (read-only): queries, stats, checkpoints and gaps are read here, after a flush. */
  private db: Database.Database | undefined;
  private stmts!: LedgerStatements;
  /** Owns the read-write connection; undefined when read-only. */
  private writer: WriterThread | undefined;
  private lock: LockFile | undefined;
  private timer: TimerHandle | undefined;
  /**
   * The buffer: every row appended since the last successful commit, as full chunks of INSERT_CHUNK
   * rows (flat `seq, type, token, at, payload` arrays, the insert's parameters; `token` is the
   * dictionary id) plus the partly filled `tail`. Rows stay here until their COMMIT is confirmed, so
   * a failed group can be resent.
   */
  private chunks: unknown[][] = [];
  private tail: unknown[] = [];
  private buffered = 0;
  /** Chunks of `chunks` already streamed to the writer thread in the current group. */
  private streamed = 0;
  /** Set after a failed commit: the writer holds nothing of the group, the next commit resends it all. */
  private resend = false;
  /**
   * The token dictionary, token id → integer id, loaded at open and extended by append(): ids are
   * assigned here, so an append never waits on a lookup. `newTokens` holds the dictionary rows
   * (flat `id, token_id` pairs) assigned since the last successful commit; they are sent to the
   * writer thread before or with the rows that use them and inserted in the same transaction, so a
   * rolled-back group leaves no id on disk that the map does not also still hold for the resend.
   */
  private readonly tokenIds = new Map<string, number>();
  private nextTokenId = 1;
  private newTokens: (number | string)[] = [];
  /** How much of `newTokens` went to the writer thread in the current group. */
  private tokensStreamed = 0;
  private lastSeq = 0;
  /** The group whose COMMIT was posted and not yet confirmed; its rows are kept for a resend. */
  private inflight: { id: number; chunks: unknown[][]; tokens: (number | string)[]; count: number } | undefined;
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
    if (this.readOnly) {
      openReadOnly(this.path, (db) => this.attach(db));
      return { lastSeq: this.lastSeq };
    }
    const { writer, lock } = openWritable(this.options, (err) => this.writerDied(err), (db) => this.attach(db), () => (this.db = undefined));
    this.writer = writer;
    this.lock = lock;
    this.timer = this.options.clock.every(this.intervalMs, () => this.commitOnTimer());
    return { lastSeq: this.lastSeq };
  }

  append(record: LedgerRecord | EncodedLedgerRecord): void {
    const failed = this.failures.failed;
    if (failed) throw failed;
    this.assertWritable();
    // Backpressure: this record would close a group while the last one is still in flight, so wait
    // for that one first (before taking the record: a failure refuses it, never half-takes it).
    if (this.inflight) this.settle(this.buffered + 1 >= this.maxBatch);
    const json = encodeRecord(this.name, record, this.lastSeq);
    const tokenId = record.tokenId;
    const token = tokenId === null ? null : (this.tokenIds.get(tokenId) ?? this.addToken(tokenId));
    const tail = this.tail;
    tail.push(record.seq, record.type, token, record.at, json);
    this.lastSeq = record.seq;
    this.buffered++;
    if (this.buffered >= this.maxBatch) {
      this.commitLater();
    } else if (tail.length === INSERT_CHUNK * COLUMNS) {
      this.chunks.push(tail);
      this.tail = [];
      // Stream full chunks so the writer thread inserts them while the engine goes on.
      if (!this.resend && this.chunks.length - this.streamed >= STREAM_CHUNKS) {
        this.writer!.stream(this.chunks.slice(this.streamed), this.newTokens.slice(this.tokensStreamed));
        this.streamed = this.chunks.length;
        this.tokensStreamed = this.newTokens.length;
      }
    }
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
    return streamRecordsAfter(this.path, afterSeq);
  }

  writeCheckpoint(cp: Checkpoint): void {
    this.assertWritable();
    const state = encodeCheckpoint(this.name, cp, this.lastSeq, this.latestCheckpointSeq);
    // The buffer goes in the same transaction: a stored checkpoint never covers events not on disk.
    this.commit({ kind: 'checkpoint', seq: cp.seq, at: cp.at, state });
    this.latestCheckpointSeq = cp.seq;
    try {
      this.writer!.walCheckpoint(); // fsyncs the WAL: bounds the power-cut window to one checkpoint period
    } catch (err) {
      throw this.fail(err);
    }
    const keep = this.options.retention?.keepSeconds;
    if (keep !== undefined) this.compact(cp.at - keep * 1000);
  }

  latestCheckpoint(beforeSeq?: number): Checkpoint | undefined {
    this.prepareRead();
    const stmt = beforeSeq === undefined ? this.stmts.latestCheckpoint : this.stmts.checkpointBefore;
    const row = (beforeSeq === undefined ? stmt.get() : stmt.get(beforeSeq)) as { seq: number; at: number; state: string } | undefined;
    return row && { seq: row.seq, at: row.at, state: decodeCheckpointState(this.name, row.seq, row.state) };
  }

  recordGap(gap: { channel: string; reason: string; detectedAt: number; detectedSeq: number }): number {
    this.assertWritable();
    return this.commit({ kind: 'gap', channel: gap.channel, reason: gap.reason, detectedAt: gap.detectedAt, detectedSeq: gap.detectedSeq }) as number;
  }

  resolveGaps(resolution: { resolvedAt: number; resolvedBySeq: number; resolution: string }): number {
    this.assertWritable();
    return this.commit({ kind: 'resolve', resolvedAt: resolution.resolvedAt, resolvedBySeq: resolution.resolvedBySeq, resolution: resolution.resolution }) as number;
  }

  openGaps(): GapRecord[] {
    this.prepareRead();
    return this.stmts.gapsOpen();
  }

  stats(): LedgerStats {
    this.prepareRead();
    return this.stmts.stats(this.lastSeq);
  }

  compact(beforeAt: number): number {
    this.assertWritable();
    return this.commit({ kind: 'compact', beforeAt, keepCheckpoints: KEEP_CHECKPOINTS }) as number;
  }

  onFailure(listener: (err: Error) => void): void {
    this.failures.add(listener);
  }

  close(): void {
    if (!this.db) return;
    try {
      if (!this.readOnly && (this.buffered > 0 || this.inflight)) this.commit();
    } finally {
      this.timer?.cancel();
      this.timer = undefined;
      // The reader first: the writer's connection, closing last, checkpoints the WAL into the file.
      this.db.close();
      this.db = undefined;
      try {
        this.writer?.close();
      } catch (err) {
        this.options.logger?.warn({ err: (err as Error).message }, 'ledger writer thread did not close cleanly');
      } finally {
        this.writer = undefined;
        this.lock?.release();
        this.lock = undefined;
      }
    }
  }

  /** Records appended but not yet committed, in flight included (for health reporting). */
  get bufferedCount(): number {
    return this.buffered + (this.inflight?.count ?? 0);
  }

  /** Whether a group's COMMIT is posted and not yet confirmed. */
  get committing(): boolean {
    return this.inflight !== undefined;
  }

  private attach(db: Database.Database): void {
    // Statements and first reads before the connection is taken: a file they fail on leaves the ledger closed.
    const stmts = new LedgerStatements(db);
    const seqs = stmts.lastSeqs();
    this.db = db;
    this.stmts = stmts;
    ({ lastSeq: this.lastSeq, latestCheckpointSeq: this.latestCheckpointSeq } = seqs);
    this.tokenIds.clear();
    this.nextTokenId = 1;
    if (this.readOnly) return; // reads translate through the table
    this.nextTokenId = this.stmts.loadTokens(this.tokenIds);
  }

  /** Assigns the next dictionary id to a token not seen before; its row goes with the group. */
  private addToken(tokenId: string): number {
    const id = this.nextTokenId++;
    this.tokenIds.set(tokenId, id);
    this.newTokens.push(id, tokenId);
    return id;
  }

  /**
   * Commits the buffer (and `extra`) in one transaction on the writer thread, waiting for it; the
   * buffer is emptied only once the COMMIT succeeded. Returns the extra's result.
   */
  private commit(extra?: CommitExtra): unknown {
    this.settle(true);
    if (this.buffered === 0 && !extra) return undefined;
    const writer = this.writer;
    if (!writer) throw this.fail(new Error('the ledger writer thread is not running'));
    const restart = this.resend;
    const rows = restart ? this.chunks.slice() : this.chunks.slice(this.streamed);
    if (this.tail.length > 0) rows.push(this.tail);
    const tokens = restart ? this.newTokens : this.newTokens.slice(this.tokensStreamed);
    let result: unknown;
    try {
      result = writer.commit(rows, tokens, restart, extra);
    } catch (err) {
      this.resend = true;
      throw this.fail(err);
    }
    this.clearBuffer();
    this.resend = false;
    return result;
  }

  /**
   * Closes the group without waiting for its COMMIT (the previous group's answer is waited for
   * first, if it is still out: that is the backpressure). After a failure: the waiting path.
   */
  private commitLater(): void {
    this.settle(true);
    if (this.resend || this.buffered === 0) {
      if (this.buffered > 0) this.commit();
      return;
    }
    const writer = this.writer;
    if (!writer) throw this.fail(new Error('the ledger writer thread is not running'));
    const rows = this.chunks.slice(this.streamed);
    if (this.tail.length > 0) rows.push(this.tail);
    let id: number;
    try {
      id = writer.commitLater(rows, this.newTokens.slice(this.tokensStreamed), false);
    } catch (err) {
      this.resend = true;
      throw this.fail(err);
    }
    this.inflight = { id, chunks: this.tail.length > 0 ? [...this.chunks, this.tail] : this.chunks, tokens: this.newTokens, count: this.buffered };
    this.clearBuffer();
  }

  /** The buffer is empty again: its rows are committed, or held by the group in flight. */
  private clearBuffer(): void {
    this.chunks = [];
    this.tail = [];
    this.buffered = 0;
    this.streamed = 0;
    this.newTokens = [];
    this.tokensStreamed = 0;
  }

  /**
   * Reads the in-flight group's answer (waiting for it if `block`); a failed one puts its rows back
   * in front of the buffer for the resend and fails the ledger.
   */
  private settle(block: boolean): void {
    const f = this.inflight;
    if (!f) return;
    try {
      if (this.writer!.answer(f.id, block) === undefined) return;
      this.inflight = undefined;
    } catch (err) {
      this.inflight = undefined;
      const tail = this.tail.length > 0 ? [this.tail] : [];
      this.chunks = [...f.chunks, ...this.chunks, ...tail];
      this.tail = [];
      this.newTokens = [...f.tokens, ...this.newTokens];
      this.buffered += f.count;
      this.streamed = 0;
      this.tokensStreamed = 0;
      this.resend = true;
      throw this.fail(err);
    }
  }

  private commitOnTimer(): void {
    if (this.failures.failed || !this.db || (this.buffered === 0 && !this.inflight)) return;
    try {
      if (this.buffered === 0) this.settle(false);
      else this.commitLater();
    } catch {
      // Already reported through fail(): onFailure listeners and the log. A timer must not throw.
    }
  }

  /** The writer thread died outside a request (heard on the event loop): fail now, not at the next commit. */
  private writerDied(err: Error): void {
    if (this.writer) this.fail(err);
  }

  private fail(err: unknown): LedgerError {
    const code = (err as { code?: unknown }).code;
    const e = new LedgerError(
      'LEDGER_FAILED',
      `${this.name}: write failed (${typeof code === 'string' ? `${code}: ` : ''}${(err as Error).message}); ` +
        `${this.buffered} buffered records are kept in memory, not written; further appends are refused`,
      { cause: err },
    );
    if (this.failures.fail(e)) this.options.logger?.error({ err: e.message, buffered: this.buffered }, 'ledger write failed');
    return e;
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
