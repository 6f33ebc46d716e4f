/**
 * Builds an incident report from a tape (or a ledger export, which is a tape): replays it through
 * the existing replay machinery (same core, plugins and config, virtual clock), records the
 * timeline from the app's read-only views, and renders one self-contained HTML document.
 */
import type { PolyquoteConfig } from '../../core/config/schema.ts';
import type { TapeError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { replayTape } from '../../app/replay/replay.ts';
import { appSource } from '../metrics/app-source.ts';
import { renderReport } from './render.ts';
import { TimelineRecorder, type Timeline } from './timeline.ts';

export interface IncidentReportOptions {
  readonly config: PolyquoteConfig;
  readonly lines: AsyncIterable<string> | Iterable<string>;
  readonly tapeName: string;
  readonly title?: string;
  readonly skipBadLines?: boolean;
  readonly onSkipped?: (err: TapeError) => void;
  readonly logger?: Logger;
  /** Defaults to the wall clock's ISO time (tests pass a fixed one). */
  readonly generatedAt?: string;
}

export interface IncidentReport {
  readonly html: string;
  readonly timeline: Timeline;
  readonly lines: number;
  readonly skipped: number;
}

export async function buildIncidentReport(opts: IncidentReportOptions): Promise<IncidentReport> {
  let recorder: TimelineRecorder | undefined;
  let timeline: Timeline | undefined;
  async function* lines() {
    for await (const l of opts.lines) yield l;
    // Every line applied, the app still alive: close the spans at the clock's time.
    timeline = recorder?.finish();
  }
  const summary = await replayTape({
    config: opts.config, lines: lines(), output: () => {}, skipBadLines: opts.skipBadLines ?? false,
    ...(opts.onSkipped && { onSkipped: opts.onSkipped }), ...(opts.logger && { logger: opts.logger }),
    onApp: (app) => void (recorder = new TimelineRecorder(appSource(app))),
  });
  const tl: Timeline = timeline ?? { startAt: undefined, endAt: undefined, events: 0, tokens: new Map(), overall: [], shadowSets: [], divergenceCounts: new Map(), alerts: [] };
  const html = renderReport(tl, { title: opts.title ?? `polyquote incident report: ${opts.tapeName}`, tapeName: opts.tapeName, generatedAt: opts.generatedAt ?? new Date().toISOString() });
  return { html, timeline: tl, lines: summary.lines, skipped: summary.skipped };
}
