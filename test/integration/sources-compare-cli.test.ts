/**
 * `polyquote sources compare` as an operator runs it during the read-only rollout: every member of a
 * fallback position source sampled side by side — the chain (real CTF on anvil) against the Data API
 * (loopback server whose indexer lags) — and the disagreement counted per token.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployCtfFixture, startAnvil, type AnvilInstance, type CtfFixture } from '../support/anvil.ts';
import { startDataApiServer, type DataApiServer } from '../support/data-api-server.ts';
import { runCli } from './cli.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pq-compare-'));
let anvil: AnvilInstance;
let fx: CtfFixture;
let api: DataApiServer;

beforeAll(async () => {
  anvil = await startAnvil();
  fx = await deployCtfFixture(anvil.rpcUrl, { conditions: 1 });
  api = await startDataApiServer(fx.funder, fx.tokenIds.map((asset) => ({ asset, size: 100 })));
});

afterAll(async () => {
  await api?.close();
  await anvil?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The table's row for a token (ids are shortened to their first and last six digits). */
function row(stdout: string, tokenId: string): string[] {
  const short = `${tokenId.slice(0, 6)}…${tokenId.slice(-6)}`;
  const line = stdout.split('\n').find((l) => l.startsWith(short));
  expect(line, `no row for ${short} in:\n${stdout}`).toBeDefined();
  return line!.trim().split(/\s+/);
}

describe('polyquote sources compare', () => {
  it('lists chain vs rest per token and counts the disagreement of the token the Data API lags on, none for the other', async () => {
    const [agreeing, lagging] = fx.tokenIds as [string, string];
    // The funder sells 12.5 shares of one outcome on-chain; the Data API has indexed it but still serves the older state.
    await fx.transfer(lagging, 12_500_000n);
    api.setPositions([{ asset: agreeing, size: 100 }, { asset: lagging, size: 87.5 }]);
    api.knobs.lagVersions = 1;

    const config = path.join(dir, 'compare.yaml');
    writeFileSync(config, `
identity: { funder: "${fx.funder}" }
tokens: ["${agreeing}", "${lagging}"]
positionSource:
  kind: fallback
  sources:
    - { kind: chain, rpcUrl: "${anvil.rpcUrl}", contract: "${fx.ctf}", multicallAddress: "${fx.multicall}", batch: multicall, intervalSeconds: 1 }
    - { kind: rest, url: "${api.url}" }
alerts: []
ledger: { kind: memory }
`);
    const requestsBefore = api.requests.length;
    // 3 s sampled every 0.5 s: nominally 7 samples. How many fit depends on how fast the machine answers
    // (a loaded one is slow), so the counts are checked against each other and against the interval,
    // never against the wall clock: at least two samples (the first must end before 2.5 s), at most
    // one per interval, and the lagging token's disagreement spans every sleep between them.
    const seconds = 3;
    const interval = 0.5;
    const r = await runCli(['sources', 'compare', '--config', config, '--seconds', String(seconds), '--interval-seconds', String(interval)], dir);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^compared chain vs rest over \d+\.\ds, \d+ samples$/m);
    const [, over, samplesText] = /over (\d+\.\d)s, (\d+) samples/.exec(out)!;
    const samples = Number(samplesText);
    expect(samples).toBeGreaterThanOrEqual(2);
    expect(samples).toBeLessThanOrEqual(seconds / interval + 1);
    expect(Number(over)).toBeGreaterThanOrEqual((samples - 1) * interval);
    expect(api.requests.length - requestsBefore).toBeGreaterThanOrEqual(samples);
    expect(out).toMatch(/^token\s+chain\s+rest\s+disagree\s+longest$/m);

    const [, chainA, restA, disagreeA, longestA] = row(out, agreeing);
    expect([chainA, restA]).toEqual(['100', '100']);
    expect(disagreeA).toBe(`0/${samples}`);
    expect(longestA).toBe('0.0s');

    const [, chainL, restL, disagreeL, longestL] = row(out, lagging);
    expect([chainL, restL]).toEqual(['87.5', '100']);
    expect(disagreeL).toBe(`${samples}/${samples}`);
    // Disagreeing from the first sample to the last: at least one interval slept between each two.
    expect(Number(longestL!.replace(/s$/, ''))).toBeGreaterThanOrEqual((samples - 1) * interval);
    expect(out).not.toMatch(/failed fetches/);
  });
});
