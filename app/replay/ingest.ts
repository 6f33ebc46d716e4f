/**
 * `polyquote ingest`: feeds a recorded tape into the *live* engine — its configured (durable)
 * ledger, checkpoints, crash recovery — on a virtual clock driven by the tape's times. It is the
 * harness of the crash test and of incident rehearsals: killed at any point and started again on
 * the same ledger, it recovers, then resumes the feed like a venue after a reconnect: every event
 * after the last one the ledger holds, plus the fills of an overlap window re-sent (as Polymarket
 * re-sends trades), which the engine must recognise and not count twice.
 *
 * Every line is read and turned into events exactly as `replay` does (tape-lines.ts, then
 * frames.ts's itemEvents): event lines, and raw `user_ws` / `market_ws` frames parsed by the
 * Polymarket connector, so a bad frame is the same line-numbered TapeError and a problem inside one
 * is reported the same way. A line stands for any number of ledgered events (a frame may hold
 * several, or none).
 *
 * The resume point is exact: beside the ledger, `<ledger>.ingest.jsonl` holds one run line
 * `{baseSeq, line, sub, resent}` per run (fsynced before the run feeds anything: the ledger's seq
 * after `baseSeq` + `resent` re-sent fills are the stored events from tape line `line`, skipping its
 * first `sub`), and one frame line `{line, events}` per `user_ws` line, written before its events are
 * fed: the events it gave (what the connector attributes depends on the engine's state at the time,
 * so a later run never parses it again). `market_ws` frames parse the same whatever the state and are
 * parsed again. So the ledger's last seq maps back to one event of one tape line, whatever identical
 * lines the tape holds and wherever in a frame a run was killed. The tape is streamed, never read
 * whole.
 */
import fs from 'node:fs';
import { App } from '../app.ts';
import { VirtualClock } from '../../core/clock.ts';
import type { PolyquoteConfig } from '../../core/config/schema.ts';
import { TapeError } from '../../core/errors.ts';
import type { FillReported, InboundEvent } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import { stateLine, type StateLine } from '../../core/engine/report.ts';
import { decodeEventLine, encodeEventLine, unstorableReason } from '../../core/tape-codec.ts';
import { itemEvents } from './frames.ts';
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
  /** A venue frame held an event that could not be understood (skipped, as live and as replay). */
  readonly onFrameProblem?: (line: number, message: string) => void;
}

export interface IngestSummary {
  readonly resumedAfterSeq: number;
  /** Tape events already in the ledger, not fed again. */
  readonly skipped: number;
  readonly resent: number;
  readonly ingested: number;
}

/** A run's journal line: after ledger seq `baseSeq` and `resent` re-sent fills, the stored events from tape line `line` on, its first `sub` excepted. */
interface RunEntry {
  baseSeq: number;
  line: number;
  sub: number;
  resent: number;
}

/** Where to resume: lines before `line` and the first `sub` stored events of line `line` were fed, then `more` further stored events. */
interface ResumePlan {
  readonly line: number;
  readonly sub: number;
  readonly more: number;
  /** The ledger's last record is a tape event (not a re-sent fill): the last event skipped must be it. */
  readonly verify: boolean;
  /** A ledger from before the journal: user_ws lines were never fed, and count no events. */
  readonly legacy: boolean;
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
    const journalFile = journalPath(app);
    const lastSeq = app.engine.lastSeq;
    const journal = lastSeq === 0 ? { runs: [], frames: new Map<number, InboundEvent[]>() } : readJournal(journalFile);
    const plan: ResumePlan = lastSeq === 0
      ? { line: 0, sub: 0, more: 0, verify: false, legacy: false }
      : (resumeFromJournal(journal.runs, lastSeq) ?? (await legacyResume(app, open())));
    const overlapMs = opts.overlapMs ?? 10_000;
    const reader = new TapeReader();
    const storable = (e: InboundEvent) => unstorableReason(e) === undefined;
    let window: FillReported[] = [];
    let anchor: { line: number; event: InboundEvent } | undefined;
    let skipped = 0;
    let resent = 0;
    let ingested = 0;
    let journaled = false;
    /** Events still to skip once line `plan.line` is reached (undefined before). */
    let budget: number | undefined;
    let skipping = true;

    const feed = async (e: InboundEvent) => {
      if (e.at > clock.now()) clock.advanceTo(e.at);
      app.engine.ingest(e);
      ingested++;
      if (opts.progress && ingested % 50 === 0) opts.progress(ingested);
      if (opts.paceMs) await new Promise((r) => setTimeout(r, opts.paceMs));
    };
    /** The stored events an already-fed line gave (journaled for user_ws, parsed again otherwise). */
    const fedEventsOf = (item: TapeItem): InboundEvent[] => {
      if (item.kind === 'frame' && item.channel === 'user_ws') {
        const recorded = journal.frames.get(item.line);
        if (recorded) return recorded;
        if (plan.legacy) return [];
        throw new TapeError(item.line, 'the ingest journal holds no record of this user_ws line, which an earlier run fed: wrong tape for this ledger');
      }
      return itemEvents(item, app.engine, opts.config).filter(storable);
    };
    const skip = (line: number, events: readonly InboundEvent[]) => {
      for (const e of events) {
        if (e.type === 'fill') window.push(e);
        anchor = { line, event: e };
        skipped++;
      }
    };
    /** Writes this run's journal line, then re-sends the overlap; feeding starts at event `sub` of tape line `line`. */
    const startFeeding = async (line: number, sub: number) => {
      if (journaled) return;
      journaled = true;
      if (plan.verify && anchor) verifyAnchor(app, lastSeq, anchor);
      if (anchor) window = window.filter((f) => f.at >= anchor!.event.at - overlapMs);
      if (journalFile) appendJournal(journalFile, { baseSeq: app.engine.lastSeq, line, sub, resent: window.length }, true);
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
      const bearing = item.kind === 'event' || item.kind === 'frame';
      if (skipping) {
        if (item.line < plan.line) {
          if (bearing) skip(item.line, fedEventsOf(item));
          continue;
        }
        budget ??= (item.line === plan.line ? plan.sub : 0) + plan.more;
        if (budget > 0) {
          if (!bearing) continue; // applied by the run that fed the events around it
          const events = fedEventsOf(item);
          const take = Math.min(budget, events.length);
          skip(item.line, events.slice(0, take));
          budget -= take;
          if (take === events.length) continue;
          // Killed inside this line: feed the rest of the events it gave then.
          skipping = false;
          notBefore(item, clock);
          if (item.at > clock.now()) clock.advanceTo(item.at);
          await startFeeding(item.line, take);
          for (const e of events.slice(take)) await feed(e);
          continue;
        }
        skipping = false;
      }
      if (bearing) notBefore(item, clock);
      if (item.at > clock.now()) clock.advanceTo(item.at);
      if (item.kind === 'query') {
        opts.output(answerQuery(app, item, item.at));
        continue;
      }
      if (!bearing) continue;
      await startFeeding(item.line, 0);
      let events: InboundEvent[];
      const recorded = item.kind === 'frame' && item.channel === 'user_ws' ? journal.frames.get(item.line) : undefined;
      if (recorded) events = recorded; // parsed by a run that was killed before its events were recorded
      else {
        events = itemEvents(item, app.engine, opts.config, opts.onFrameProblem);
        if (item.kind === 'frame' && item.channel === 'user_ws' && journalFile) {
          appendJournal(journalFile, { line: item.line, events: events.filter(storable).map(encodeEventLine) }, false);
        }
      }
      for (const e of events) await feed(e);
    }
    if (skipping && ((budget ?? plan.more) > 0 || plan.line > reader.line + 1)) {
      throw new TapeError(0, `the ledger has recorded ${skipped + (budget ?? plan.more)} events of a tape but this one holds only ${skipped}: wrong tape for this ledger`);
    }
    await startFeeding(reader.line + 1, 0);
    // A ledger that failed mid-feed is a failed run (exit 1), not a success line.
    if (app.engine.ledgerFailure) throw app.engine.ledgerFailure;
    opts.output(stateLine(app.engine, clock.now()));
    return { resumedAfterSeq: app.recovery?.lastSeq ?? 0, skipped, resent, ingested };
  } finally {
    await app.dispose();
  }
}

/** A line that feeds events may not lie before the engine's time (recovery may have moved it). */
function notBefore(item: TapeItem, clock: VirtualClock): void {
  if (item.at < clock.now()) {
    throw new TapeError(item.line, `at ${new Date(item.at).toISOString()} is earlier than the engine's time ${new Date(clock.now()).toISOString()}`);
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

/** Appends one journal line; a run line is fsynced (it must outlive anything the run records). */
function appendJournal(file: string, entry: RunEntry | FrameRecord, sync: boolean): void {
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, `${JSON.stringify(entry)}\n`);
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A user_ws line's journal line: the stored events it gave when a run first fed it. */
interface FrameRecord {
  line: number;
  events: Record<string, unknown>[];
}

/** The runs (in order) and the recorded user_ws lines' events in the journal beside a ledger. */
function readJournal(file: string | undefined): { runs: RunEntry[]; frames: Map<number, InboundEvent[]> } {
  const runs: RunEntry[] = [];
  const frames = new Map<number, InboundEvent[]>();
  if (!file || !fs.existsSync(file)) return { runs, frames };
  for (const text of fs.readFileSync(file, 'utf8').split('\n')) {
    let e: Partial<RunEntry & FrameRecord>;
    try {
      e = JSON.parse(text) as Partial<RunEntry & FrameRecord>;
    } catch {
      continue; // a line cut by a crash: what it was about was never fed
    }
    if (Array.isArray(e.events) && Number.isSafeInteger(e.line)) {
      // The first record of a line wins: a later run feeds a recorded line from its record.
      if (!frames.has(e.line!)) frames.set(e.line!, e.events.map((ev) => decodeEventLine(ev)));
    } else if ([e.baseSeq, e.line, e.sub, e.resent].every((n) => Number.isSafeInteger(n))) runs.push(e as RunEntry);
  }
  return { runs, frames };
}

/** Where to resume for a ledger ending at `lastSeq`, from the journal's runs (undefined: no run recorded any of it). */
export function resumeFromJournal(runs: readonly RunEntry[], lastSeq: number): ResumePlan | undefined {
  const run = runs.filter((r) => r.baseSeq < lastSeq).at(-1);
  if (!run) return undefined;
  const k = lastSeq - run.baseSeq - 1; // index of the ledger's last record in that run's feed
  // The last record was a re-sent fill: nothing after the run's start was recorded yet.
  if (k < run.resent) return { line: run.line, sub: run.sub, more: 0, verify: false, legacy: false };
  return { line: run.line, sub: run.sub, more: k - run.resent + 1, verify: true, legacy: false };
}

/** The tape event before the resume point must be the ledger's record at lastSeq (when it was not a re-send). */
function verifyAnchor(app: App, lastSeq: number, anchor: { line: number; event: InboundEvent }): void {
  const rec = app.ledger.query({ fromSeq: lastSeq, toSeq: lastSeq })[0];
  if (!rec) return;
  if (JSON.stringify(rec.payload) !== JSON.stringify(encodeEventLine(anchor.event))) {
    throw new TapeError(anchor.line, `the ledger's last event (#${rec.seq}, ${rec.type} at ${new Date(rec.at).toISOString()}) is not this tape line: wrong tape for this ledger`);
  }
}

/**
 * A ledger without a run journal (written before it existed, when ingest fed event lines only):
 * resume after the last tape event line equal to its last non-fill record. Returns that line's number.
 */
async function legacyResume(app: App, lines: AsyncIterable<string> | Iterable<string>): Promise<ResumePlan> {
  let last;
  for (let to = app.engine.lastSeq; to > 0 && !last; to -= 1000) {
    last = app.ledger.query({ fromSeq: Math.max(1, to - 999), toSeq: to }).filter((r) => r.type !== 'fill').at(-1);
  }
  if (!last) return { line: 0, sub: 0, more: 0, verify: false, legacy: true };
  app.logger.warn({ seq: last.seq }, 'no ingest journal beside the ledger: resuming after the last matching tape line');
  const anchor = JSON.stringify(last.payload);
  const reader = new TapeReader();
  let line = -1;
  for await (const raw of lines) {
    const item = reader.next(raw);
    if (item?.kind !== 'event') continue;
    if (item.event.at === last.at && JSON.stringify(encodeEventLine(item.event)) === anchor) line = item.line;
  }
  if (line < 0) throw new TapeError(0, `the ledger's last event (#${last.seq}, ${last.type} at ${new Date(last.at).toISOString()}) is not in this tape: wrong tape for this ledger`);
  return { line, sub: 1, more: 0, verify: false, legacy: true };
}
