/**
 * Crash recovery: restore the latest checkpoint, re-apply the ledger tail on a virtual clock that
 * jumps to each event's time (so TTL and degrade timers fire as they did live), then go live and
 * demand a fresh snapshot, applied as a force reconcile, before anything is quoted.
 */
import type { Clock } from '../clock.ts';
import { RecoveringClock, VirtualClock } from '../clock.ts';
import { LedgerError, errorMessage } from '../errors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Logger } from '../logger.ts';
import { decodeEventLine } from '../tape-codec.ts';
import type { Engine } from './engine.ts';
import type { EngineState } from './state.ts';

export interface RecoveryReport {
  readonly fromCheckpointSeq: number;
  readonly replayed: number;
  readonly lastSeq: number;
  readonly ms: number;
}

/** Rebuilds engine state from the ledger. */
export function recoverFromLedger(engine: Engine, ledger: Ledger, clock: Clock, logger: Logger): RecoveryReport {
  const t0 = performance.now();
  const cp = ledger.latestCheckpoint();
  const virtual = clock instanceof RecoveringClock ? clock : undefined;
  let replayed = 0;
  let lastSeq = cp?.seq ?? 0;
  if (cp) engine.importState(cp.state as EngineState);
  try {
    for (const rec of ledger.iterate(cp?.seq ?? 0)) {
      if (virtual && !virtual.recovering) virtual.beginRecovery(cp?.at ?? rec.at);
      virtual?.advanceTo(rec.at);
      // A tool driving the engine on its own virtual clock (ingest) recovers on that clock.
      if (clock instanceof VirtualClock && rec.at > clock.now()) clock.advanceTo(rec.at);
      let event;
      try {
        event = decodeEventLine(rec.payload);
      } catch (err) {
        throw new LedgerError('LEDGER_RECORD_INVALID', `ledger record #${rec.seq} (${rec.type}) cannot be decoded: ${errorMessage(err)}`);
      }
      engine.reapply(event, rec.seq);
      lastSeq = rec.seq;
      replayed++;
    }
  } finally {
    virtual?.goLive();
  }
  engine.evaluateAll();
  engine.requireFreshSnapshot('restart: reconcile before quoting');
  const report = { fromCheckpointSeq: cp?.seq ?? 0, replayed, lastSeq, ms: performance.now() - t0 };
  logger.info(report, 'recovered from ledger');
  return report;
}
