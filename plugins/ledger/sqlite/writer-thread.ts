/**
 * The engine-thread side of the ledger's writer thread (writer.worker.mjs has the protocol). Rows are
 * streamed to the thread as they fill chunks, so its INSERTs overlap the engine's work; a commit is
 * a request: post it, then either `Atomics.wait` until the thread has answered (after COMMIT or
 * ROLLBACK) or look later, without waiting, whether it has (`post` + `answer(id, false)`: a group
 * commit that does not stall the engine). Answers come in request order; one read early is kept.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

export const WORKER_URL = new URL('./writer.worker.mjs', import.meta.url);

/** How long a request may go unanswered before the thread is deemed hung (a commit takes milliseconds). */
export const DEFAULT_ANSWER_TIMEOUT_MS = 120_000;
/**
 * How long open() waits for the thread to start and open the file. A thread that cannot even load
 * its module dies before it can signal, so this bounds that case (its 'error' event needs the event loop).
 */
const START_TIMEOUT_MS = 30_000;

export interface WriterOptions {
  readonly file: string;
  /** Schema to create (new file) or undefined (existing file). */
  readonly createSql: string | undefined;
  readonly pageSize: number;
  readonly synchronous: 'NORMAL' | 'FULL';
  readonly maxSizeBytes: number | undefined;
  /** Rows per full chunk (one INSERT statement). */
  readonly chunk: number;
  readonly answerTimeoutMs?: number;
}

/** What a group commit carries besides the rows: at most one write of another table, in the same transaction. */
export type CommitExtra =
  | { kind: 'checkpoint'; seq: number; at: number; state: string }
  | { kind: 'gap'; channel: string; reason: string; detectedAt: number; detectedSeq: number }
  | { kind: 'resolve'; resolvedAt: number; resolvedBySeq: number; resolution: string }
  | { kind: 'compact'; beforeAt: number; keepCheckpoints: number };

type Answer = { id: number; ok: true; result?: unknown } | { id: number; ok: false; error: { message: string; code?: string } };

/** A SQLite error as the writer thread reported it (the `code` is SQLite's, e.g. SQLITE_FULL). */
export class WriterError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
    this.name = 'SqliteError';
  }
}

export class WriterThread {
  private readonly worker: Worker;
  private readonly signal: Int32Array;
  private readonly replies: MessagePort;
  private readonly timeoutMs: number;
  private nextId = 2;
  /** Answers read from the port before anyone asked for them (a later request's wait drained them). */
  private readonly early = new Map<number, Answer>();
  private dead: Error | undefined;
  private closed = false;

  /** Starts the thread and waits until it has opened the file (throws what opening threw). */
  constructor(options: WriterOptions, private readonly onDeath: (err: Error) => void) {
    this.timeoutMs = options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
    const signalBuffer = new SharedArrayBuffer(8);
    this.signal = new Int32Array(signalBuffer);
    const { port1, port2 } = new MessageChannel();
    this.replies = port1;
    this.worker = new Worker(WORKER_URL, {
      // No inherited loaders (tsx, vitest): the worker is plain JavaScript.
      execArgv: [],
      workerData: {
        file: options.file, createSql: options.createSql, pageSize: options.pageSize, synchronous: options.synchronous,
        maxSizeBytes: options.maxSizeBytes, chunk: options.chunk, signalBuffer, replyPort: port2,
      },
      transferList: [port2],
    });
    this.worker.unref();
    // Heard only when the engine thread is idle; a death while it waits is seen through signal[1].
    this.worker.on('error', (err) => this.markDead(err));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.markDead(new Error(`the ledger writer thread exited (code ${code})`));
    });
    const ready = this.wait(1, START_TIMEOUT_MS);
    if (!ready.ok) {
      this.closed = true;
      void this.worker.terminate();
      throw new WriterError(ready.error.message, ready.error.code);
    }
  }

  /**
   * Streams rows into the current group, after `tokens` (new dictionary rows, flat `id, token_id`
   * pairs); no answer (a failure shows in the commit's).
   */
  stream(rows: readonly unknown[][], tokens: readonly (number | string)[]): void {
    this.worker.postMessage({ op: 'rows', rows, tokens });
  }

  /** Commits the group (plus `tokens`, `rows` and `extra`); returns the extra's result; throws WriterError. */
  commit(rows: readonly unknown[][], tokens: readonly (number | string)[], restart: boolean, extra: CommitExtra | undefined): unknown {
    return this.request({ op: 'commit', rows, tokens, restart, extra });
  }

  /** Posts a commit without waiting; its outcome is read with `answer(id, …)`. */
  commitLater(rows: readonly unknown[][], tokens: readonly (number | string)[], restart: boolean): number {
    if (this.dead) throw new WriterError(`the ledger writer thread is gone: ${this.dead.message}`, 'WRITER_DEAD');
    const id = this.nextId++;
    this.worker.postMessage({ op: 'commit', rows, tokens, restart, extra: undefined, id });
    return id;
  }

  /**
   * The outcome of request `id`: its result, or `undefined` when `block` is false and it has not
   * been answered yet. Throws WriterError when it failed or the thread died.
   */
  answer(id: number, block: boolean): { result: unknown } | undefined {
    if (!block && Atomics.load(this.signal, 0) < id && !this.early.has(id)) {
      if (Atomics.load(this.signal, 1) === 0) return undefined;
    }
    const a = this.wait(id, this.timeoutMs);
    if (!a.ok) throw new WriterError(a.error.message, a.error.code);
    return { result: a.result };
  }

  walCheckpoint(): void {
    this.request({ op: 'walCheckpoint' });
  }

  /** Closes the connection and lets the thread end; throws WriterError if closing failed. */
  close(): void {
    if (this.closed) return;
    try {
      if (!this.dead) this.request({ op: 'close' });
    } finally {
      this.closed = true;
      this.replies.close();
      // The thread ends by itself once its port is closed; terminate() only makes sure of it.
      void this.worker.terminate();
    }
  }

  /** Reports the thread's death once (not after close: then its exit is expected). */
  private markDead(err: Error): void {
    if (this.dead || this.closed) return;
    this.dead = err;
    this.onDeath(err);
  }

  private request(message: { op: string } & Record<string, unknown>): unknown {
    if (this.dead) throw new WriterError(`the ledger writer thread is gone: ${this.dead.message}`, 'WRITER_DEAD');
    const id = this.nextId++;
    this.worker.postMessage({ ...message, id });
    const a = this.wait(id, this.timeoutMs);
    if (!a.ok) throw new WriterError(a.error.message, a.error.code);
    return a.result;
  }

  /** Blocks until answer `id` arrives, the thread dies or the timeout passes. */
  private wait(id: number, timeoutMs: number): Answer {
    const kept = this.early.get(id);
    if (kept) {
      this.early.delete(id);
      return kept;
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      // Answers are given in request order: once a later one is signalled, this one was sent too.
      if (seen >= id) break;
      if (Atomics.load(this.signal, 1) !== 0) {
        const last = this.drain();
        const why = last && !last.ok ? last.error.message : 'no reason given';
        const err = new WriterError(`the ledger writer thread died (${why})`, 'WRITER_DEAD');
        this.markDead(err);
        throw err;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const err = new WriterError(`the ledger writer thread did not answer within ${timeoutMs} ms`, 'WRITER_TIMEOUT');
        this.markDead(err);
        void this.worker.terminate();
        throw err;
      }
      Atomics.wait(this.signal, 0, seen, Math.min(left, 1000));
    }
    for (;;) {
      const m = receiveMessageOnPort(this.replies);
      if (!m) throw new WriterError(`the ledger writer thread signalled answer ${id} but sent none`, 'WRITER_PROTOCOL');
      const a = m.message as Answer;
      if (a.id === id) return a;
      if (a.id > id) this.early.set(a.id, a);
    }
  }

  /** The last answer left on the port (the thread's dying words), if any. */
  private drain(): Answer | undefined {
    let last: Answer | undefined;
    for (let m = receiveMessageOnPort(this.replies); m; m = receiveMessageOnPort(this.replies)) last = m.message as Answer;
    return last;
  }
}
