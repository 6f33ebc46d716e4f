import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../core/errors.ts';
import { RestSource } from '../../plugins/position-source/rest/index.ts';
import { startDataApiServer, type ApiPosition, type DataApiServer } from '../support/data-api-server.ts';
import { buildSource, sourceContext } from '../support/source-context.ts';
import { fixtureText } from '../venue/polymarket/feeds/fixtures.ts';

const FUNDER = '0xa3d82ed56f4c68d2328fb8c29e568ba2caf7d7c8';
const BIG = (n: number) => (2n ** 255n + BigInt(n)).toString();
const servers: DataApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function api(positions: readonly ApiPosition[]): Promise<DataApiServer> {
  const s = await startDataApiServer(FUNDER, positions);
  servers.push(s);
  return s;
}

function rest(server: DataApiServer, over: Partial<ConstructorParameters<typeof RestSource>[0]> = {}, logger?: ReturnType<typeof sourceContext>['logger']) {
  return new RestSource({
    url: server.url, funder: FUNDER, pageSize: 3, maxPages: 20, pollIntervalMs: 5000, timeoutMs: 1000, ...over, ...(logger ? { logger } : {}),
  });
}

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

const seven = Array.from({ length: 7 }, (_, i) => ({ asset: BIG(i), size: i + 1.5 }));

describe('rest position source against a loopback Data API', () => {
  it('paginates until a short page, asking for every size and the funder', async () => {
    const server = await api(seven);
    const report = await rest(server).fetchBalances(seven.map((p) => p.asset));
    expect(report.complete).toBe(true);
    expect(report.source).toBe('rest');
    expect(report.roundTrips).toBe(3);
    expect(server.requests.map((q) => q.get('offset'))).toEqual(['0', '3', '6']);
    for (const q of server.requests) {
      expect(q.get('user')).toBe(FUNDER);
      expect(q.get('sizeThreshold')).toBe('0');
      expect(q.get('limit')).toBe('3');
    }
    expect(report.balances.get(BIG(6))).toBe(7_500_000n);
  });

  it('asks once more when the last page is exactly full, and only then calls the answer complete', async () => {
    const server = await api(seven.slice(0, 6));
    const report = await rest(server).fetchBalances([BIG(0)]);
    expect(server.requests.length).toBe(3);
    expect(report.complete).toBe(true);
  });

  it('reports a token absent from a complete answer as zero', async () => {
    const server = await api(seven.slice(0, 2));
    const report = await rest(server).fetchBalances([BIG(0), BIG(99)]);
    expect(report.balances.get(BIG(99))).toBe(0n);
  });

  it('leaves unseen tokens out (never zero) when maxPages cuts pagination short, and says so', async () => {
    const server = await api(seven);
    const ctx = sourceContext();
    const report = await rest(server, { maxPages: 2 }, ctx.logger).fetchBalances([BIG(0), BIG(6), BIG(99)]);
    expect(report.complete).toBe(false);
    expect(report.balances.get(BIG(0))).toBe(1_500_000n);
    expect(report.balances.has(BIG(6))).toBe(false);
    expect(report.balances.has(BIG(99))).toBe(false);
    expect(ctx.lines().some((l) => l.level === 'warn' && String(l.msg).includes('incomplete'))).toBe(true);
  });

  it('converts float sizes exactly through their shortest decimal form, sub-share positions included', async () => {
    const server = await api([{ asset: BIG(1), size: 150.5 }, { asset: BIG(2), size: 0.42 }, { asset: BIG(3), size: 0.000001 }, { asset: BIG(4), size: 1234567.123456 }]);
    const report = await rest(server, { pageSize: 500 }).fetchBalances([BIG(1), BIG(2), BIG(3), BIG(4)]);
    expect([...report.balances.values()]).toEqual([150_500_000n, 420_000n, 1n, 1_234_567_123_456n]);
  });

  it('parses the constructed Data API fixture verbatim', async () => {
    const fixture = fixtureText('data_api_positions_constructed.json');
    const rows = JSON.parse(fixture) as { asset: string; size: number }[];
    const server = await api([]);
    server.knobs.rawBody = fixture;
    const report = await rest(server, { pageSize: 500 }).fetchBalances(rows.map((r) => r.asset));
    expect(report.balances.get(rows[0]!.asset)).toBe(150_500_000n);
    expect(report.balances.get(rows[1]!.asset)).toBe(420_000n);
  });

  it('reports what a lagging indexer says: the older state, which is why REST is only the fallback', async () => {
    const server = await api([{ asset: BIG(1), size: 10 }]);
    server.setPositions([{ asset: BIG(1), size: 25 }]);
    server.knobs.lagVersions = 1;
    expect((await rest(server).fetchBalances([BIG(1)])).balances.get(BIG(1))).toBe(10_000_000n);
    server.knobs.lagVersions = 0;
    expect((await rest(server).fetchBalances([BIG(1)])).balances.get(BIG(1))).toBe(25_000_000n);
  });

  it.each([429, 500, 503])('turns HTTP %i into a retryable error carrying the status', async (status) => {
    const server = await api(seven);
    server.knobs.status = status;
    const err = await failure(rest(server).fetchBalances([BIG(0)]));
    expect(err.code).toBe('REST_HTTP');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`got ${status}`);
  });

  it('turns HTTP 400 into a non-retryable error', async () => {
    const server = await api(seven);
    server.knobs.status = 400;
    expect((await failure(rest(server).fetchBalances([BIG(0)]))).retryable).toBe(false);
  });

  it('fails the whole fetch when one page is missing, so nothing is zeroed from a partial answer', async () => {
    const server = await api(seven);
    server.knobs.failPage = 1;
    const err = await failure(rest(server).fetchBalances([BIG(0), BIG(99)]));
    expect(err.message).toContain('page 1 (offset 3)');
  });

  it.each([
    ['malformed JSON', 'not json', /expected JSON for page 0/],
    ['an object instead of an array', '{"error":"rate limited"}', /expected a JSON array of positions for page 0 \(offset 0\), got object/],
    ['null', 'null', /got null/],
  ])('rejects %s', async (_what, body, pattern) => {
    const server = await api(seven);
    server.knobs.rawBody = body;
    const err = await failure(rest(server).fetchBalances([BIG(0)]));
    expect(err.code).toBe('REST_MALFORMED');
    expect(err.message).toMatch(pattern);
  });

  it.each([
    ['a numeric asset id', { asset: 12, size: 1, proxyWallet: FUNDER }, /asset/],
    ['a missing size', { asset: '12', proxyWallet: FUNDER }, /size/],
    ['a non-numeric size', { asset: '12', size: 'lots', proxyWallet: FUNDER }, /size/],
    ['a negative size', { asset: '12', size: -1, proxyWallet: FUNDER }, /non-negative/],
    ['a size finer than a micro-share', { asset: '12', size: 0.0000001, proxyWallet: FUNDER }, /at most 6 decimals/],
    ['another wallet', { asset: '12', size: 1, proxyWallet: '0x0000000000000000000000000000000000000001' }, /expected proxyWallet/],
    ['not an object', 'row', /row/],
  ])('rejects a row with %s, naming page and row', async (_what, badRow, pattern) => {
    const server = await api(seven);
    server.knobs.badRowAt = 1;
    server.knobs.badRow = badRow;
    const err = await failure(rest(server).fetchBalances([BIG(0)]));
    expect(err.code).toBe('REST_MALFORMED');
    expect(err.message).toMatch(pattern);
    expect(err.message).toContain('page 0 (offset 0) row 1');
  });

  it('rejects a token listed twice with different sizes (pages shifted between requests)', async () => {
    const server = await api(seven);
    server.knobs.badRowAt = 2;
    server.knobs.badRow = { asset: BIG(0), size: 99, proxyWallet: FUNDER };
    expect((await failure(rest(server).fetchBalances([BIG(0)]))).code).toBe('REST_INCONSISTENT');
  });

  it('gives up on a Data API that never answers', async () => {
    const server = await api(seven);
    server.knobs.hang = true;
    const err = await failure(rest(server, { timeoutMs: 200 }).fetchBalances([BIG(0)]));
    expect(err.code).toBe('REST_TIMEOUT');
  });

  it('is built from config with its defaults and refuses pages above 500', () => {
    const ctx = sourceContext({ funder: FUNDER });
    const s = buildSource<RestSource>(ctx, { kind: 'rest' });
    expect([s.name, s.pollIntervalMs, s.timeoutMs]).toEqual(['rest', 5000, 5000]);
    expect(() => buildSource(ctx, { kind: 'rest', pageSize: 501 })).toThrow();
    expect(() => buildSource(ctx, { kind: 'rest', url: 'ws://x' })).toThrow();
  });
});
