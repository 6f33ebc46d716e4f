/**
 * Crash recovery: restore the newest usable checkpoint, re-apply the ledger tail on a virtual clock
 * that jumps to each event's time (so TTL and degrade timers fire as they did live), then go live
 * and demand a fresh snapshot, applied as a force reconcile, before anything is quoted.
 *
 * A checkpoint that cannot be decoded is skipped, with a warning naming it, for the one before it,
 * down to a full replay from seq 1 when the ledger still holds every record; only when no usable
 * base exists does recovery fail (LEDGER_CORRUPT). The tail is checked as it is read: a hole in
 * seq, a record whose type or time disagrees with its payload, a payload the tape decoder refuses,
 * or a checkpoint beyond the last record are LEDGER_CORRUPT naming the record.
 */
import type { Clock } from '../clock.ts';
import { RecoveringClock, VirtualClock } from '../clock.ts';
import { LedgerError, PolyquoteError, errorMessage } from '../errors.ts';
import type { Checkpoint, Ledger, LedgerRecord } from '../ledger/ledger.ts';
import type { Logger } from '../logger.ts';
import { decodeEventLine, MAX_AT, MIN_AT } from '../tape-codec.ts';
import type { Engine } from './engine.ts';
import type { EngineState } from './state.ts';

export interface RecoveryReport {
  readonly fromCheckpointSeq: number;
  readonly replayed: number;
  readonly lastSeq: number;
  readonly ms: number;
  /** Checkpoints that could not be used (newest first), with why. */
  readonly skippedCheckpoints: readonly { seq: number; reason: string }[];
}

const corrupt = (ledger: Ledger, what: string) => new LedgerError('LEDGER_CORRUPT', `${ledger.name}: ${what}`, { errorClass: 'non-retryable' });

/** Rebuilds engine state from the ledger. */
export function recoverFromLedger(engine: Engine, ledger: Ledger, clock: Clock, logger: Logger, lastSeqHint?: number): RecoveryReport {
  const t0 = performance.now();
  const virtual = clock instanceof RecoveringClock ? clock : undefined;
  const { cp, skipped } = restoreBase(engine, ledger, logger);
  if (cp) checkCovered(ledger, cp);
  if (cp) rememberFillsBefore(engine, ledger, cp);
  let replayed = 0;
  let lastSeq = cp?.seq ?? 0;
  // With no tail the clock still resumes where the checkpoint left it, never earlier.
  if (cp && clock instanceof VirtualClock && cp.at > clock.now()) clock.advanceTo(cp.at);
  try {
    for (const rec of ledger.iterate(cp?.seq ?? 0)) {
      if (rec.seq !== lastSeq + 1) throw corrupt(ledger, `records jump from seq ${lastSeq} to seq ${rec.seq} (a gap in seq)`);
      const event = decodeRecord(ledger, rec);
      if (virtual && !virtual.recovering) virtual.beginRecovery(cp?.at ?? rec.at);
      virtual?.advanceTo(rec.at);
      // A tool driving the engine on its own virtual clock (ingest) recovers on that clock.
      if (clock instanceof VirtualClock && rec.at > clock.now()) clock.advanceTo(rec.at);
      engine.reapply(event, rec.seq);
      lastSeq = rec.seq;
      replayed++;
    }
  } finally {
    virtual?.goLive();
  }
  if (lastSeqHint !== undefined && lastSeq < lastSeqHint && replayed > 0) {
    throw corrupt(ledger, `recovery reached seq ${lastSeq} but the ledger's last seq is ${lastSeqHint}`);
  }
  engine.evaluateAll();
  engine.requireFreshSnapshot('restart: reconcile before quoting');
  const report = { fromCheckpointSeq: cp?.seq ?? 0, replayed, lastSeq, ms: performance.now() - t0, skippedCheckpoints: skipped };
  logger.info(report, 'recovered from ledger');
  return report;
}

/** Restores the newest checkpoint that decodes; none: the engine stays empty for a full replay. */
function restoreBase(engine: Engine, ledger: Ledger, logger: Logger): { cp: Checkpoint | undefined; skipped: { seq: number; reason: string }[] } {
  const empty = engine.exportState();
  const skipped: { seq: number; reason: string }[] = [];
  let before: number | undefined;
  for (;;) {
    let cp: Checkpoint | undefined;
    try {
      cp = ledger.latestCheckpoint(before);
    } catch (err) {
      const seq = (err as PolyquoteError).details?.checkpointSeq;
      if (!(err instanceof PolyquoteError) || typeof seq !== 'number') throw err;
      skip(seq, errorMessage(err));
      continue;
    }
    if (!cp) break;
    try {
      engine.importState(cp.state as EngineState);
      if ((cp.state as EngineState).seq !== cp.seq) throw new Error(`its state is of seq ${(cp.state as EngineState).seq}, not ${cp.seq}`);
      return { cp, skipped };
    } catch (err) {
      engine.importState(empty); // a half-restored state is never built upon
      skip(cp.seq, errorMessage(err));
    }
  }
  if (skipped.length > 0) {
    const it = ledger.iterate(0)[Symbol.iterator]();
    const first = it.next();
    it.return?.();
    const firstSeq = first.done ? undefined : first.value.seq;
    if (firstSeq !== 1) {
      throw corrupt(ledger, `no usable checkpoint (${skipped.map((s) => `seq ${s.seq}: ${s.reason}`).join('; ')}) and the records before ${firstSeq === undefined ? 'the end' : `seq ${firstSeq}`} were compacted away: a full replay is impossible`);
    }
    logger.warn({ skipped }, 'no usable checkpoint: full replay of the ledger');
  }
  return { cp: undefined, skipped };

  function skip(seq: number, reason: string): void {
    skipped.push({ seq, reason });
    logger.warn({ checkpointSeq: seq, reason }, 'checkpoint cannot be used: falling back to the one before it');
    before = seq;
  }
}

/**
 * A checkpoint's own record must be in the ledger unless compaction removed everything up to it
 * (times only grow, so it never removes a later record and keeps an earlier one): records before it
 * but not its own means records were cut off the end, and the checkpoint covers events that are gone.
 */
function checkCovered(ledger: Ledger, cp: Checkpoint): void {
  if (cp.seq === 0 || ledger.query({ fromSeq: cp.seq, toSeq: cp.seq }).length > 0) return;
  const earlier = ledger.query({ toSeq: cp.seq, limit: 1 });
  if (earlier.length > 0) throw corrupt(ledger, `checkpoint at seq ${cp.seq} is beyond the last record (records up to it are missing)`);
}

/** The dedup memory of the window before the checkpoint, rebuilt from the ledger's fill records. */
function rememberFillsBefore(engine: Engine, ledger: Ledger, cp: Checkpoint): void {
  const fromAt = Math.max(MIN_AT, cp.at - engine.inventory.dedupWindow);
  const fills: ReturnType<typeof decodeEventLine>[] = [];
  for (const rec of ledger.query({ types: ['fill'], fromAt, toSeq: cp.seq })) fills.push(decodeRecord(ledger, rec));
  engine.inventory.rememberFills(fills.filter((e): e is Extract<typeof e, { type: 'fill' }> => e.type === 'fill'));
}

/** A record's event, with every check the record must pass. */
function decodeRecord(ledger: Ledger, rec: LedgerRecord): ReturnType<typeof decodeEventLine> {
  if (!Number.isSafeInteger(rec.at) || rec.at < MIN_AT || rec.at > MAX_AT) throw corrupt(ledger, `record #${rec.seq} (${rec.type}) has an impossible time ${String(rec.at)}`);
  if (rec.payload.kind !== rec.type) throw corrupt(ledger, `record #${rec.seq} is of type ${rec.type} but its payload is of kind ${JSON.stringify(rec.payload.kind)}`);
  let event;
  try {
    event = decodeEventLine(rec.payload);
  } catch (err) {
    throw corrupt(ledger, `record #${rec.seq} (${rec.type}) cannot be decoded: ${errorMessage(err)}`);
  }
  if (event.at !== rec.at) throw corrupt(ledger, `record #${rec.seq} (${rec.type}) is stored at ${rec.at} but its payload says ${event.at}`);
  return event;
}
