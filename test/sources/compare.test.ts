import { describe, expect, it } from 'vitest';
import { SystemClock, VirtualClock } from '../../core/clock.ts';
import { compareSources, formatCompareReport, type CompareReport } from '../../core/sources/compare.ts';
import type { BalanceReport, PositionSource } from '../../core/sources/position-source.ts';
import { SourceError } from '../../core/errors.ts';
import { RestSource } from '../../plugins/position-source/rest/index.ts';
import { startDataApiServer } from '../support/data-api-server.ts';

const flush = () => new Promise<void>((r) => setImmediate(r));

/** A source answering from a script indexed by sample number (a value, or an Error to fail). */
function scripted(name: string, kind: 'chain' | 'rest', script: (sample: number) => Record<string, bigint> | Error): PositionSource & { calls: number } {
  const s = {
    name, pollIntervalMs: 1000, timeoutMs: 1000, calls: 0,
    async fetchBalances(): Promise<BalanceReport> {
      const out = script(s.calls++);
      if (out instanceof Error) throw out;
      return { source: kind, sourceName: name, balances: new Map(Object.entries(out)), complete: true, degraded: false, roundTrips: 1, latencyMs: 0 };
    },
    dispose: async () => undefined,
  };
  return s;
}

/** Runs compareSources on a virtual clock, advancing it whenever the comparison waits. */
async function driveVirtual(run: (clock: VirtualClock) => Promise<CompareReport>): Promise<CompareReport> {
  const clock = new VirtualClock(0);
  let done = false;
  const p = run(clock).finally(() => void (done = true));
  while (!done) {
    await flush();
    if (!done) clock.advanceBy(1000);
  }
  return p;
}

describe('compareSources', () => {
  it('counts disagreeing samples and the longest disagreement per token, effective size included', async () => {
    // chain moves to 15 at sample 2; the lagging REST catches up at sample 5.
    const chain = scripted('chain', 'chain', (i) => ({ a: i >= 2 ? 15n : 10n, b: 7n }));
    const rest = scripted('rest', 'rest', (i) => ({ a: i >= 5 ? 15n : 10n, b: 7n }));
    const report = await driveVirtual((clock) =>
      compareSources({
        sources: [{ name: 'chain', source: chain }, { name: 'rest', source: rest }],
        tokenIds: ['a', 'b'], clock, durationMs: 7000, intervalMs: 1000, effective: (id) => (id === 'a' ? 15n : 7n),
      }),
    );
    expect(report.samples).toBe(8);
    expect(report.columns).toEqual(['chain', 'rest', 'effective']);
    const [a, b] = report.tokens;
    // Samples 0-1: effective (15) differs from both; 2-4: rest lags; from 5 all agree.
    expect(a).toEqual({ tokenId: 'a', latest: { chain: 15n, rest: 15n, effective: 15n }, disagreements: 5, longestDisagreementMs: 5000 });
    expect(b).toMatchObject({ disagreements: 0, longestDisagreementMs: 0 });
  });

  it('keeps the last value of a failing source and counts its errors', async () => {
    const chain = scripted('chain', 'chain', () => ({ a: 1n }));
    const rest = scripted('rest', 'rest', (i) => (i === 0 ? { a: 1n } : new SourceError('rest', 'REST_HTTP', 'expected HTTP 200, got 429')));
    const report = await driveVirtual((clock) =>
      compareSources({ sources: [{ name: 'chain', source: chain }, { name: 'rest', source: rest }], tokenIds: ['a'], clock, durationMs: 2000, intervalMs: 1000 }),
    );
    expect(report.tokens[0]!.latest).toEqual({ chain: 1n, rest: 1n });
    expect(report.errors.rest).toEqual({ count: 2, last: 'rest: expected HTTP 200, got 429' });
    expect(formatCompareReport(report)).toContain('rest: 2 failed fetches, last: rest: expected HTTP 200, got 429');
  });

  it('formats a readable table with exact sizes and shortened token ids', () => {
    const id = (2n ** 255n).toString();
    const text = formatCompareReport({
      columns: ['chain', 'rest'], samples: 4, startedAt: 0, endedAt: 3000, errors: {},
      tokens: [{ tokenId: id, latest: { chain: 150_500_000n, rest: undefined }, disagreements: 2, longestDisagreementMs: 2500 }],
    });
    expect(text.split('\n')).toEqual([
      'compared chain vs rest over 3.0s, 4 samples',
      'token          chain  rest  disagree  longest',
      '-------------  -----  ----  --------  -------',
      `${id.slice(0, 6)}…${id.slice(-6)}  150.5     -       2/4     2.5s`,
    ]);
  });

  it('compares a real lagging Data API against the truth it lags behind (real timers)', async () => {
    const funder = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
    const api = await startDataApiServer(funder, [{ asset: '123', size: 10 }]);
    try {
      api.setPositions([{ asset: '123', size: 12.5 }]);
      api.knobs.lagVersions = 1;
      // Generous timeout and duration: a loaded machine may take a second for one loopback fetch, and
      // a second sample needs the first to end before durationMs − intervalMs (nominally ~40 samples).
      const rest = new RestSource({ url: api.url, funder, pageSize: 500, maxPages: 2, pollIntervalMs: 1000, timeoutMs: 10_000 });
      const truth = scripted('chain', 'chain', () => ({ '123': 12_500_000n }));
      const report = await compareSources({
        sources: [{ name: 'chain', source: truth }, { name: 'rest', source: rest }], tokenIds: ['123'],
        clock: new SystemClock(), durationMs: 2000, intervalMs: 50,
      });
      expect(report.errors.rest).toEqual({ count: 0, last: undefined });
      expect(report.samples).toBeGreaterThanOrEqual(2);
      expect(report.samples).toBeLessThanOrEqual(2000 / 50 + 1);
      expect(api.requests.length).toBeGreaterThanOrEqual(report.samples);
      expect(report.tokens[0]!.latest).toEqual({ chain: 12_500_000n, rest: 10_000_000n });
      expect(report.tokens[0]!.disagreements).toBe(report.samples);
    } finally {
      await api.close();
    }
  });
});
