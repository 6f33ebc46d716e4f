/**
 * Rules both ledger kinds (sqlite, memory) apply identically, so the conformance suite can hold them
 * to one behaviour: seq order, what a record and a checkpoint must look like, how many checkpoints
 * compaction keeps, and the errors they raise.
 */
import { LedgerError } from '../../core/errors.ts';
import type { Checkpoint, EncodedLedgerRecord, LedgerQuery, LedgerRecord } from '../../core/ledger/ledger.ts';

/** Compaction keeps this many of the newest checkpoints (recovery needs one; the rest are spares). */
export const KEEP_CHECKPOINTS = 3;

const invalid = (code: string, message: string) => new LedgerError(code, message, { errorClass: 'non-retryable' });

/** Validates a record appended after `lastSeq` and returns its payload as JSON text. */
export function encodeRecord(name: string, r: LedgerRecord | EncodedLedgerRecord, lastSeq: number): string {
  if (!Number.isSafeInteger(r.seq) || r.seq <= lastSeq) {
    throw invalid('LEDGER_SEQ_ORDER', `${name}: expected a seq above ${lastSeq} (strictly increasing integers), got ${String(r.seq)}`);
  }
  if (typeof r.type !== 'string' || r.type === '') {
    throw invalid('LEDGER_RECORD_INVALID', `${name}: expected a non-empty type, got ${JSON.stringify(r.type)} at seq ${r.seq}`);
  }
  if (!Number.isSafeInteger(r.at)) {
    throw invalid('LEDGER_RECORD_INVALID', `${name}: expected at in epoch ms, got ${String(r.at)} at seq ${r.seq}`);
  }
  if (r.tokenId !== null && typeof r.tokenId !== 'string') {
    throw invalid('LEDGER_RECORD_INVALID', `${name}: expected tokenId to be a string or null at seq ${r.seq}`);
  }
  if ('payloadJson' in r) {
    // Written by the engine's encoder (tape-json.ts, held to JSON.stringify by a property test).
    if (typeof r.payloadJson !== 'string' || r.payloadJson[0] !== '{' || r.payloadJson[r.payloadJson.length - 1] !== '}') {
      throw invalid('LEDGER_RECORD_INVALID', `${name}: expected payloadJson to be a JSON object's text at seq ${r.seq}`);
    }
    return r.payloadJson;
  }
  return toJson(name, r.payload, `payload at seq ${r.seq}`, true);
}

/** Validates a checkpoint against the last appended seq and the latest stored checkpoint; returns its state as JSON. */
export function encodeCheckpoint(name: string, cp: Checkpoint, lastSeq: number, latestSeq: number | undefined): string {
  if (!Number.isSafeInteger(cp.seq) || cp.seq < 0 || cp.seq > lastSeq) {
    throw invalid('LEDGER_CHECKPOINT_INVALID', `${name}: expected a checkpoint seq between 0 and the last appended seq ${lastSeq}, got ${String(cp.seq)}`);
  }
  if (latestSeq !== undefined && cp.seq < latestSeq) {
    throw invalid('LEDGER_CHECKPOINT_INVALID', `${name}: expected a checkpoint seq ≥ the latest checkpoint's ${latestSeq}, got ${cp.seq}`);
  }
  if (!Number.isSafeInteger(cp.at)) throw invalid('LEDGER_CHECKPOINT_INVALID', `${name}: expected checkpoint at in epoch ms, got ${String(cp.at)}`);
  return toJson(name, cp.state, `checkpoint state at seq ${cp.seq}`, false);
}

function toJson(name: string, value: unknown, what: string, mustBeObject: boolean): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    // The cause names the offending type (a bigint, a cycle); the value itself never enters the message.
    throw new LedgerError('LEDGER_RECORD_INVALID', `${name}: expected JSON-safe ${what}, got a value JSON cannot encode`, { cause: err, errorClass: 'non-retryable' });
  }
  if (json === undefined || (mustBeObject && json[0] !== '{')) {
    throw invalid('LEDGER_RECORD_INVALID', `${name}: expected ${what} to be ${mustBeObject ? 'an object' : 'JSON-safe'}`);
  }
  return json;
}

/** Checks a query's numeric bounds, so both kinds reject the same nonsense. */
export function checkQuery(name: string, q: LedgerQuery): void {
  for (const key of ['fromAt', 'toAt', 'fromSeq', 'toSeq', 'limit'] as const) {
    const v = q[key];
    if (v !== undefined && !Number.isSafeInteger(v)) throw invalid('LEDGER_QUERY_INVALID', `${name}: expected ${key} to be an integer, got ${String(v)}`);
  }
  if (q.limit !== undefined && q.limit < 0) throw invalid('LEDGER_QUERY_INVALID', `${name}: expected limit ≥ 0, got ${q.limit}`);
}

export function notOpen(name: string): LedgerError {
  return new LedgerError('LEDGER_NOT_OPEN', `${name}: expected open() before use, got a closed ledger`, { errorClass: 'non-retryable' });
}

/** Collects onFailure listeners; each is called at most once, late subscribers at once. */
export class FailureListeners {
  private readonly listeners: ((err: Error) => void)[] = [];
  private failure: Error | undefined;

  get failed(): Error | undefined {
    return this.failure;
  }

  add(listener: (err: Error) => void): void {
    if (this.failure) listener(this.failure);
    else this.listeners.push(listener);
  }

  /** Marks the failure; returns false if it had already failed (listeners are not called again). */
  fail(err: Error): boolean {
    if (this.failure) return false;
    this.failure = err;
    for (const l of this.listeners.splice(0)) {
      try {
        l(err);
      } catch {
        // A throwing listener must not stop the others from hearing about the failure.
      }
    }
    return true;
  }
}

/** A stored checkpoint's state parsed; text that is not JSON is LEDGER_CORRUPT naming the checkpoint. */
export function decodeCheckpointState(name: string, seq: number, json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new LedgerError('LEDGER_CORRUPT', `${name}: checkpoint at seq ${seq} is not JSON`, { errorClass: 'non-retryable', details: { checkpointSeq: seq } });
  }
}
