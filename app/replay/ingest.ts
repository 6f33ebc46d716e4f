/**
 * `polyquote ingest`: feeds a recorded tape into the *live* engine — its configured (durable)
 * ledger, checkpoints, crash recovery — on a virtual clock driven by the tape's times. It is the
 * harness of the crash test and of incident rehearsals: killed at any point and started again on
 * the same ledger, it recovers, then resumes the feed like a venue after a reconnect: every event
 * after the last one the ledger holds, plus the fills of an overlap window re-sent (as Polymarket
 * re-sends trades), which the engine must recognise and not count twice.
 */
import { App } from '../app.ts';
import { VirtualClock } from '../../core/clock.ts';
import type { PolyquoteConfig } from '../../core/config/schema.ts';
import { TapeError, errorMessage } from '../../core/errors.ts';
import type { InboundEvent } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import { stateLine, type StateLine } from '../../core/engine/report.ts';
import { decodeEventLine, encodeEventLine, isEventLineKind } from '../../core/tape-codec.ts';

export interface IngestOptions {
  readonly config: PolyquoteConfig;
  readonly lines: readonly string[];
  readonly logger?: Logger;
  /** Real milliseconds to wait between events (so a test can kill the process mid-stream). */
  readonly paceMs?: number;
  /** Fills this long before the resume point are re-sent after a restart. */
  readonly overlapMs?: number;
  readonly output: (line: StateLine) => void;
  readonly progress?: (ingested: number, total: number) => void;
}

export interface IngestSummary {
  readonly resumedAfterSeq: number;
  readonly skipped: number;
  readonly resent: number;
  readonly ingested: number;
}


/** Runs the feed; returns what it did. Throws TapeError on a bad line. */
export async function ingestTape(opts: IngestOptions): Promise<IngestSummary> {
  const events: InboundEvent[] = [];
  opts.lines.forEach((raw, i) => {
    const text = raw.trim();
    if (!text) return;
    try {
      const obj = JSON.parse(text) as Record<string, unknown>;
      if (!isEventLineKind(obj.kind)) throw new Error(`kind ${JSON.stringify(obj.kind)} cannot be ingested (events only)`);
      events.push(decodeEventLine(obj));
    } catch (err) {
      throw new TapeError(i + 1, errorMessage(err), err);
    }
  });
  if (events.length === 0) throw new TapeError(0, 'the tape holds no events');
  const clock = new VirtualClock(events[0]!.at);
  const app = App.create(opts.config, { clock, withoutSources: true, withoutTrading: true, ...(opts.logger && { logger: opts.logger }) });
  try {
    await app.start();
    const { start, resend } = resumePoint(app, events, opts.overlapMs ?? 10_000);
    let ingested = 0;
    const feed = [...resend, ...events.slice(start)];
    for (const e of feed) {
      if (e.at > clock.now()) clock.advanceTo(e.at);
      app.engine.ingest(e);
      ingested++;
      if (opts.progress && ingested % 50 === 0) opts.progress(ingested, feed.length);
      if (opts.paceMs) await new Promise((r) => setTimeout(r, opts.paceMs));
    }
    opts.output(stateLine(app.engine, clock.now()));
    return { resumedAfterSeq: app.recovery?.lastSeq ?? 0, skipped: start, resent: resend.length, ingested };
  } finally {
    await app.dispose();
  }
}

/** Where to resume: after the tape event matching the ledger's last non-fill record. */
function resumePoint(app: App, events: readonly InboundEvent[], overlapMs: number): { start: number; resend: InboundEvent[] } {
  if (!app.recovery) return { start: 0, resend: [] };
  const last = lastNonFill(app);
  if (!last) return { start: 0, resend: events.filter((e) => e.type === 'fill') };
  const anchor = JSON.stringify(last.payload);
  let idx = -1;
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i]!.at === last.at && JSON.stringify(encodeEventLine(events[i]!)) === anchor) {
      idx = i;
      break;
    }
  }
  if (idx < 0) throw new TapeError(0, `the ledger's last event (#${last.seq}, ${last.type} at ${new Date(last.at).toISOString()}) is not in this tape: wrong tape for this ledger`);
  const resend = events.slice(0, idx + 1).filter((e) => e.type === 'fill' && e.at >= last.at - overlapMs);
  return { start: idx + 1, resend };
}

/** The newest ledger record that is not a fill, searched backwards a window at a time. */
function lastNonFill(app: App) {
  // A seq window only (the primary key), filtered here: a type filter would make SQLite scan by type.
  for (let to = app.engine.lastSeq; to > 0; to -= 1000) {
    const found = app.ledger.query({ fromSeq: Math.max(1, to - 999), toSeq: to }).filter((r) => r.type !== 'fill');
    if (found.length) return found[found.length - 1];
  }
  return undefined;
}
