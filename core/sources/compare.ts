/**
 * Read-only comparison of position sources (seed 003 phase 1: "log on-chain vs API discrepancies"):
 * samples every source (and optionally the engine's effective size) on the clock for a while and
 * reports, per token, the latest value of each, how many samples disagreed and the longest stretch
 * of disagreement. Backs `polyquote sources compare`.
 */
import { formatMicros, type Micros } from '../amounts.ts';
import type { Clock } from '../clock.ts';
import { errorMessage } from '../errors.ts';
import type { PositionSource } from './position-source.ts';

export interface CompareOptions {
  readonly sources: readonly { readonly name: string; readonly source: PositionSource }[];
  readonly tokenIds: readonly string[];
  readonly clock: Clock;
  readonly durationMs: number;
  readonly intervalMs: number;
  /** The engine's effective size, compared as one more column when given. */
  readonly effective?: (tokenId: string) => Micros | undefined;
}

export interface TokenComparison {
  readonly tokenId: string;
  /** Latest value per column (source names, plus "effective"); undefined = never answered. */
  readonly latest: Readonly<Record<string, Micros | undefined>>;
  /** Samples where at least two known columns differed. */
  readonly disagreements: number;
  /** Longest run of disagreeing samples, first disagreeing sample to the first agreeing one (or the end). */
  readonly longestDisagreementMs: number;
}

export interface CompareReport {
  readonly columns: readonly string[];
  readonly samples: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly tokens: readonly TokenComparison[];
  /** Failed fetches per source name, with the last error. */
  readonly errors: Readonly<Record<string, { count: number; last: string | undefined }>>;
}

const sleep = (clock: Clock, ms: number) => new Promise<void>((resolve) => clock.scheduleAt(clock.now() + ms, resolve));

/** Samples the sources every `intervalMs` for `durationMs` (at least one sample) and compares them per token. */
export async function compareSources(opts: CompareOptions): Promise<CompareReport> {
  const { clock, tokenIds } = opts;
  const columns = [...opts.sources.map((s) => s.name), ...(opts.effective ? ['effective'] : [])];
  const latest = new Map(tokenIds.map((id) => [id, new Map<string, Micros>()]));
  const stats = new Map(tokenIds.map((id) => [id, { disagreements: 0, since: undefined as number | undefined, longest: 0 }]));
  const errors: Record<string, { count: number; last: string | undefined }> = {};
  for (const s of opts.sources) errors[s.name] = { count: 0, last: undefined };
  const startedAt = clock.now();
  let samples = 0;
  for (;;) {
    await Promise.all(
      opts.sources.map(async ({ name, source }) => {
        try {
          const r = await source.fetchBalances(tokenIds, AbortSignal.timeout(source.timeoutMs));
          for (const [id, v] of r.balances) latest.get(id)?.set(name, v);
        } catch (err) {
          errors[name]!.count++;
          errors[name]!.last = errorMessage(err);
        }
      }),
    );
    const now = clock.now();
    samples++;
    for (const id of tokenIds) {
      const row = latest.get(id)!;
      const eff = opts.effective?.(id);
      if (eff !== undefined) row.set('effective', eff);
      const st = stats.get(id)!;
      if (new Set(row.values()).size > 1) {
        st.disagreements++;
        st.since ??= now;
        st.longest = Math.max(st.longest, now - st.since);
      } else if (st.since !== undefined) {
        st.longest = Math.max(st.longest, now - st.since);
        st.since = undefined;
      }
    }
    if (now - startedAt + opts.intervalMs > opts.durationMs) break;
    await sleep(clock, opts.intervalMs);
  }
  const endedAt = clock.now();
  return {
    columns,
    samples,
    startedAt,
    endedAt,
    errors,
    tokens: tokenIds.map((tokenId) => {
      const row = latest.get(tokenId)!;
      const st = stats.get(tokenId)!;
      return {
        tokenId,
        latest: Object.fromEntries(columns.map((c) => [c, row.get(c)])),
        disagreements: st.disagreements,
        longestDisagreementMs: st.longest,
      };
    }),
  };
}

/** A fixed-width table of a compare report, one row per token, followed by source errors. */
export function formatCompareReport(report: CompareReport): string {
  const short = (id: string) => (id.length > 14 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id);
  const header = ['token', ...report.columns, 'disagree', 'longest'];
  const rows = report.tokens.map((t) => [
    short(t.tokenId),
    ...report.columns.map((c) => (t.latest[c] === undefined ? '-' : formatMicros(t.latest[c]!))),
    `${t.disagreements}/${report.samples}`,
    `${(t.longestDisagreementMs / 1000).toFixed(1)}s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [
    `compared ${report.columns.join(' vs ')} over ${((report.endedAt - report.startedAt) / 1000).toFixed(1)}s, ${report.samples} samples`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
  for (const [name, e] of Object.entries(report.errors)) {
    if (e.count > 0) out.push(`${name}: ${e.count} failed fetches, last: ${e.last}`);
  }
  return out.join('\n');
}
