import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, SourceError } from '../../core/errors.ts';
import type { PositionSource } from '../../core/sources/position-source.ts';
import { ChainSource, readBalancesOneByOne, type BatchMode } from '../../plugins/position-source/chain/index.ts';
import { startAnvil, deployCtfFixture, type AnvilInstance, type CtfFixture } from '../support/anvil.ts';
import { startCountingProxy, type CountingProxy } from '../support/loopback.ts';
import { buildSource, sourceContext } from '../support/source-context.ts';

let anvil: AnvilInstance;
let fx: CtfFixture;
let proxy: CountingProxy;
const open: PositionSource[] = [];

beforeAll(async () => {
  anvil = await startAnvil();
  fx = await deployCtfFixture(anvil.rpcUrl, { conditions: 3 });
  proxy = await startCountingProxy(anvil.rpcUrl);
});

afterAll(async () => {
  await Promise.all(open.map((s) => s.dispose()));
  await proxy?.close();
  await anvil?.stop();
});

function source(batch: BatchMode, over: Partial<ConstructorParameters<typeof ChainSource>[0]> = {}): ChainSource {
  const s = new ChainSource({
    rpcUrl: anvil.rpcUrl, chainId: 137, contract: fx.ctf, funder: fx.funder, batch,
    multicallAddress: fx.multicall, pollIntervalMs: 1000, timeoutMs: 3000, ...over,
  });
  open.push(s);
  return s;
}

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

describe('chain position source on a real anvil chain with the real CTF contract', () => {
  it.each(['balanceOfBatch', 'multicall'] as const)('reads what the funder holds after its splits (%s)', async (batch) => {
    const report = await source(batch).fetchBalances(fx.tokenIds);
    expect(report.source).toBe('chain');
    expect(report.complete).toBe(true);
    expect(report.degraded).toBe(false);
    expect([...report.balances.entries()]).toEqual(fx.tokenIds.map((id) => [id, fx.splitAmount]));
    expect(report.block).toBe(await fx.publicClient.getBlockNumber());
  });

  it.each(['balanceOfBatch', 'multicall'] as const)('reads the funder\'s collateral in the same call, at the same block (%s)', async (batch) => {
    const withCash = source(batch, { collateral: fx.collateral });
    const before = proxy.requests;
    const viaProxy = source(batch, { collateral: fx.collateral, rpcUrl: proxy.url });
    const report = await viaProxy.fetchBalances(fx.tokenIds);
    expect(proxy.requests - before).toBe(1);
    const direct = await withCash.fetchBalances(fx.tokenIds);
    const onChain = (await fx.publicClient.readContract({
      address: fx.collateral, abi: [{ type: 'function', name: 'balanceOf', stateMutability: 'view', inputs: [{ name: 'a', type: 'address' }], outputs: [{ type: 'uint256' }] }],
      functionName: 'balanceOf', args: [fx.funder],
    })) as bigint;
    expect(report.collateral).toBe(onChain);
    expect(direct.collateral).toBe(onChain);
    expect([...report.balances.entries()]).toEqual(fx.tokenIds.map((id) => [id, fx.splitAmount]));
    // Without a collateral address nothing extra is read.
    expect((await source(batch).fetchBalances(fx.tokenIds)).collateral).toBeUndefined();
  });

  it('sees balances change after single and batch transfers, with the block number increasing', async () => {
    const s = source('balanceOfBatch');
    const before = await s.fetchBalances(fx.tokenIds);
    const [a, b, c] = fx.tokenIds as [string, string, string];
    const b1 = await fx.transfer(a, 1_500_000n);
    const mid = await s.fetchBalances(fx.tokenIds);
    expect(mid.block).toBe(b1);
    expect(mid.block! > before.block!).toBe(true);
    expect(mid.balances.get(a)).toBe(before.balances.get(a)! - 1_500_000n);
    const b2 = await fx.transferBatch([b, c], [1n, 2_000_000n]);
    const after = await s.fetchBalances(fx.tokenIds);
    expect(after.block).toBe(b2);
    expect(after.balances.get(b)).toBe(before.balances.get(b)! - 1n);
    expect(after.balances.get(c)).toBe(before.balances.get(c)! - 2_000_000n);
    for (const id of fx.tokenIds) expect(after.balances.get(id)).toBe(await fx.balanceOf(id));
  });

  it('answers the same balances and block in both batch modes and in the naive one-call-per-token loop', async () => {
    const [x, y] = await Promise.all([source('balanceOfBatch').fetchBalances(fx.tokenIds), source('multicall').fetchBalances(fx.tokenIds)]);
    expect(y.balances).toEqual(x.balances);
    expect(y.block).toBe(x.block);
    const naive = await readBalancesOneByOne({ source: 'naive', client: fx.publicClient, rpcUrl: anvil.rpcUrl, contract: fx.ctf, funder: fx.funder }, fx.tokenIds);
    expect(naive.balances).toEqual(x.balances);
    expect(naive.roundTrips).toBe(fx.tokenIds.length);
  });

  it.each(['balanceOfBatch', 'multicall'] as const)('makes exactly one HTTP request per sync, counted by a proxy it cannot see (%s)', async (batch) => {
    const s = source(batch, { rpcUrl: proxy.url });
    proxy.reset();
    for (let i = 0; i < 3; i++) {
      const report = await s.fetchBalances(fx.tokenIds);
      expect(report.roundTrips).toBe(1);
    }
    expect(proxy.requests).toBe(3);
    expect(proxy.methods).toEqual(['eth_call', 'eth_call', 'eth_call']);
  });

  it('chunks long token lists, pins the later chunks to the first chunk\'s block and counts each request', async () => {
    const s = source('balanceOfBatch', { rpcUrl: proxy.url, maxTokensPerCall: 2 });
    proxy.reset();
    const report = await s.fetchBalances(fx.tokenIds);
    expect(report.roundTrips).toBe(3);
    expect(proxy.requests).toBe(3);
    expect(report.balances.size).toBe(6);
    for (const id of fx.tokenIds) expect(report.balances.get(id)).toBe(await fx.balanceOf(id));
  });

  it('keeps uint256 token ids above 2^53 exact and reads unknown ids as zero', async () => {
    const near = ['9007199254740992', '9007199254740993', (2n ** 256n - 1n).toString()];
    const report = await source('multicall').fetchBalances([...fx.tokenIds, ...near]);
    expect([...report.balances.keys()]).toEqual([...fx.tokenIds, ...near]);
    for (const id of near) expect(report.balances.get(id)).toBe(0n);
    for (const id of fx.tokenIds) expect(BigInt(id) > 2n ** 53n).toBe(true);
  });

  it('reads over a websocket RPC URL too', async () => {
    const report = await source('balanceOfBatch', { rpcUrl: anvil.wsUrl }).fetchBalances(fx.tokenIds);
    expect(report.balances.get(fx.tokenIds[5]!)).toBe(await fx.balanceOf(fx.tokenIds[5]!));
  });

  it('rejects a contract address without code as a malformed answer naming the address', async () => {
    const err = await failure(source('balanceOfBatch', { contract: fx.other }).fetchBalances(fx.tokenIds));
    expect(err.code).toBe('CHAIN_MALFORMED');
    expect(err.message.toLowerCase()).toContain(fx.other.toLowerCase());
  });

  it.each(['balanceOfBatch', 'multicall'] as const)('rejects a contract that is not the CTF as a revert (%s)', async (batch) => {
    const err = await failure(source(batch, { contract: fx.collateral }).fetchBalances(fx.tokenIds));
    expect(err.code).toBe('CHAIN_REVERT');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/is contract the CTF address/);
  });

  it('rejects a wrong Multicall3 address and a wrong chain id', async () => {
    expect((await failure(source('multicall', { multicallAddress: fx.other }).fetchBalances(fx.tokenIds))).code).toBe('CHAIN_MALFORMED');
    const err = await failure(source('multicall', { chainId: 1 }).fetchBalances(fx.tokenIds));
    expect(err.code).toBe('CHAIN_ID_MISMATCH');
    expect(err.message).toBe('chain: expected chain id 1, got 137 from the RPC (config chainId)');
  });

  it('rejects token ids that are not uint256 decimal strings before any request', async () => {
    const s = source('balanceOfBatch', { rpcUrl: proxy.url });
    proxy.reset();
    for (const bad of ['12abc', '-1', '0x10', (2n ** 256n).toString(), '']) {
      const err = await failure(s.fetchBalances([fx.tokenIds[0]!, bad]));
      expect(err.code).toBe('TOKEN_ID_INVALID');
      expect(err.message).toContain('tokenIds[1]');
    }
    expect(proxy.requests).toBe(0);
  });
});

describe('chain plugin config', () => {
  it('fills the documented defaults and takes the funder from the run identity', () => {
    const ctx = sourceContext({ funder: fx.funder });
    const s = buildSource<ChainSource>(ctx, { kind: 'chain', rpcUrl: anvil.rpcUrl });
    open.push(s);
    expect(s.name).toBe('chain');
    expect(s.pollIntervalMs).toBe(3000);
    expect(s.timeoutMs).toBe(5000);
  });

  it('refuses to build without a funder in config or identity, naming the config path', () => {
    const ctx = sourceContext({ configPath: 'positionSource.sources.0' });
    expect(() => buildSource(ctx, { kind: 'chain', rpcUrl: anvil.rpcUrl })).toThrow(ConfigError);
    expect(() => buildSource(ctx, { kind: 'chain', rpcUrl: anvil.rpcUrl })).toThrow(/positionSource\.sources\.0\.funder/);
  });

  it('rejects unknown keys, non-RPC URLs and unknown batch modes', () => {
    const ctx = sourceContext({ funder: fx.funder });
    expect(() => buildSource(ctx, { kind: 'chain', rpcUrl: anvil.rpcUrl, interval: 3 })).toThrow();
    expect(() => buildSource(ctx, { kind: 'chain', rpcUrl: 'ftp://example.com' })).toThrow(/http\(s\):\/\/ or ws\(s\):\/\//);
    expect(() => buildSource(ctx, { kind: 'chain', rpcUrl: anvil.rpcUrl, batch: 'loop' })).toThrow();
    expect(() => buildSource(ctx, { kind: 'chain', rpcUrl: anvil.rpcUrl, funder: '0x1234' })).toThrow(/20-byte/);
  });
});
