/**
 * `polyquote ingest`: feeds a recorded tape into the *live* engine — its configured (durable)
 * ledger, checkpoints, crash recovery — on a virtual clock driven by the tape's times. It is the
 * harness of the crash test and of incident rehearsals: killed at any point and started again on
 * the same ledger, it recovers, then resumes the feed like a venue after a reconnect: every event
 * after the last one the ledger holds, plus the fills of an overlap window re-sent (as Polymarket
 * re-sends trades), which the engine must recognise and not count twice.
 *
 * The resume point is exact: before feeding, each run appends one line `{baseSeq, start, resent}`
 * to `<ledger>.ingest.jsonl` (fsynced), so the ledger's last seq maps back to one tape event (its
 * ordinal among the tape's event lines), whatever identical lines the tape holds. The tape is
 * streamed, never read whole, and checked line by line with replay's rules (tape-lines.ts).
 */
import fs from 'node:fs';
import { App } from '../app.ts';
import { VirtualClock } from '../../core/clock.ts';
import type { PolyquoteConfig } from '../../core/config/schema.ts';
import { TapeError } from '../../core/errors.ts';
import type { FillReported, InboundEvent } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import { stateLine, type StateLine } from '../../core/engine/report.ts';
import { encodeEventLine } from '../../core/tape-codec.ts';
import { TapeReader, type TapeItem } from './tape-lines.ts';

export interface IngestOptions {
  readonly config: PolyquoteConfig;
  /** The tape's lines; a function is called again for each pass (a legacy resume needs two). */
  readonly lines: (() => AsyncIterable<string> | Iterable<string>) | readonly string[];
  readonly logger?: Logger;
  /** Real milliseconds to wait between events (so a test can kill the process mid-stream). */
  readonly paceMs?: number;
  /** Fills this long before the resume point are re-sent after a restart. */
  readonly overlapMs?: number;
  readonly output: (line: StateLine) => void;
  readonly progress?: (ingested: number) => void;
}

export interface IngestSummary {
  readonly resumedAfterSeq: number;
  readonly skipped: number;
  readonly resent: number;
  readonly ingested: number;
}

interface RunEntry {
  baseSeq: number;
  start: number;
  resent: number;
}

/** Runs the feed; returns what it did. Throws TapeError on a bad line, the ledger's error if it failed. */
export async function ingestTape(opts: IngestOptions): Promise<IngestSummary> {
  const open = () => (typeof opts.lines === 'function' ? opts.lines() : opts.lines);
  // A tape replay accepts, ingest accepts: one without events (or empty) only recovers and reports.
  const first = await firstTime(open());
  const clock = new VirtualClock(first ?? 0);
  const app = App.create(opts.config, { clock, withoutSources: true, withoutTrading: true, ...(opts.logger && { logger: opts.logger }) });
  try {
    await app.start();
    const journal = journalPath(app);
    const lastSeq = app.engine.lastSeq;
    const resume = lastSeq === 0 ? { start: 0, verify: false } : (resumeFromJournal(journal, lastSeq) ?? { start: await legacyResume(app, open()), verify: false });
    const start = resume.start;
    const overlapMs = opts.overlapMs ?? 10_000;
    const reader = new TapeReader();
    let ordinal = 0;
    let window: FillReported[] = [];
    let anchorAt: number | undefined;
    let resent = 0;
    let ingested = 0;
    let journaled = false;
    const writeJournal = () => {
      if (journaled || !journal) return;
      journaled = true;
      appendJournal(journal, { baseSeq: app.engine.lastSeq, start, resent: window.length });
    };
    const feed = async (e: InboundEvent) => {
      if (e.at > clock.now()) clock.advanceTo(e.at);
      app.engine.ingest(e);
      ingested++;
      if (opts.progress && ingested % 50 === 0) opts.progress(ingested);
      if (opts.paceMs) await new Promise((r) => setTimeout(r, opts.paceMs));
    };
    const sendOverlap = async () => {
      writeJournal();
      // Re-sent now, as a venue re-sends after a reconnect: received at the current time, the
      // original time kept as the venue's, so the ledger's times never go backwards.
      for (const f of window.splice(0)) {
        const venueAt = f.venueAt ?? f.at;
        await feed({ ...f, at: Math.max(f.at, clock.now()), venueAt });
        resent++;
      }
    };
    for await (const raw of open()) {
      const item = reader.next(raw);
      if (!item) continue;
      if (item.kind === 'event') {
        const idx = ordinal++;
        if (idx < start) {
          if (item.event.type === 'fill') window.push(item.event);
          anchorAt = item.event.at;
          if (idx === start - 1) {
            if (resume.verify) verifyAnchor(app, lastSeq, item);
            window = window.filter((f) => f.at >= anchorAt! - overlapMs);
          }
          continue;
        }
        if (!journaled) await sendOverlap();
        if (item.event.at < clock.now()) {
          throw new TapeError(item.line, `at ${new Date(item.event.at).toISOString()} is earlier than the engine's time ${new Date(clock.now()).toISOString()}`);
        }
        await feed(item.event);
      } else if (ordinal >= start) {
        if (item.at > clock.now()) clock.advanceTo(item.at);
        if (item.kind === 'query') opts.output(answerQuery(app, item, item.at));
      }
    }
    if (ordinal < start) throw new TapeError(0, `the ledger has recorded ${start} events of a tape but this one holds only ${ordinal}: wrong tape for this ledger`);
    if (!journaled) await sendOverlap();
    // A ledger that failed mid-feed is a failed run (exit 1), not a success line.
    if (app.engine.ledgerFailure) throw app.engine.ledgerFailure;
    opts.output(stateLine(app.engine, clock.now()));
    return { resumedAfterSeq: app.recovery?.lastSeq ?? 0, skipped: start, resent, ingested };
  } finally {
    await app.dispose();
  }
}

function answerQuery(app: App, q: Extract<TapeItem, { kind: 'query' }>, at: number): StateLine {
  const answer: Record<string, boolean> = {};
  if (q.canBuy !== undefined) answer.canBuy = app.engine.canBuy(q.tokenId!, q.canBuy);
  if (q.canSell !== undefined) answer.canSell = app.engine.canSell(q.tokenId!, q.canSell);
  return stateLine(app.engine, at, { ...(q.tokenId && { tokenId: q.tokenId }), ...(Object.keys(answer).length && { answer }) });
}

async function firstTime(lines: AsyncIterable<string> | Iterable<string>): Promise<number | undefined> {
  const reader = new TapeReader();
  for await (const raw of lines) {
    const item = reader.next(raw);
    if (item) return item.at;
  }
  return undefined;
}

function journalPath(app: App): string | undefined {
  const p = (app.ledger as { path?: unknown }).path;
  return typeof p === 'string' ? `${p}.ingest.jsonl` : undefined;
}

function appendJournal(file: string, entry: RunEntry): void {
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, `${JSON.stringify(entry)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The tape ordinal to resume at for a ledger ending at `lastSeq`, from the run journal. */
export function resumeFromJournal(file: string | undefined, lastSeq: number): { start: number; verify: boolean } | undefined {
  if (!file || !fs.existsSync(file)) return undefined;
  let run: RunEntry | undefined;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    let e: Partial<RunEntry>;
    try {
      e = JSON.parse(line) as Partial<RunEntry>;
    } catch {
      continue; // a line cut by a crash: its run never fed anything
    }
    if (Number.isSafeInteger(e.baseSeq) && Number.isSafeInteger(e.start) && Number.isSafeInteger(e.resent) && e.baseSeq! < lastSeq) run = e as RunEntry;
  }
  if (!run) return undefined;
  const k = lastSeq - run.baseSeq - 1; // index of the ledger's last record in that run's feed
  // The last record was a re-sent fill: nothing after the run's start was recorded yet.
  return k < run.resent ? { start: run.start, verify: false } : { start: run.start + (k - run.resent) + 1, verify: true };
}

/** The tape event before the resume point must be the ledger's record at lastSeq (when it was not a re-send). */
function verifyAnchor(app: App, lastSeq: number, item: Extract<TapeItem, { kind: 'event' }>): void {
  const rec = app.ledger.query({ fromSeq: lastSeq, toSeq: lastSeq })[0];
  if (!rec) return;
  if (JSON.stringify(rec.payload) !== JSON.stringify(encodeEventLine(item.event))) {
    throw new TapeError(item.line, `the ledger's last event (#${rec.seq}, ${rec.type} at ${new Date(rec.at).toISOString()}) is not this tape line: wrong tape for this ledger`);
  }
}

/** A ledger without a run journal (written before it existed): after the last tape event equal to its last non-fill record. */
async function legacyResume(app: App, lines: AsyncIterable<string> | Iterable<string>): Promise<number> {
  let last;
  for (let to = app.engine.lastSeq; to > 0 && !last; to -= 1000) {
    last = app.ledger.query({ fromSeq: Math.max(1, to - 999), toSeq: to }).filter((r) => r.type !== 'fill').at(-1);
  }
  if (!last) return 0;
  app.logger.warn({ seq: last.seq }, 'no ingest journal beside the ledger: resuming after the last matching tape line');
  const anchor = JSON.stringify(last.payload);
  const reader = new TapeReader();
  let ordinal = 0;
  let idx = -1;
  for await (const raw of lines) {
    const item = reader.next(raw);
    if (item?.kind !== 'event') continue;
    if (item.event.at === last.at && JSON.stringify(encodeEventLine(item.event)) === anchor) idx = ordinal;
    ordinal++;
  }
  if (idx < 0) throw new TapeError(0, `the ledger's last event (#${last.seq}, ${last.type} at ${new Date(last.at).toISOString()}) is not in this tape: wrong tape for this ledger`);
  return idx + 1;
}
