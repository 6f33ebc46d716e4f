import { afterEach, describe, expect, it } from 'vitest';
import { encodeAbiParameters, encodeFunctionResult, type Hex } from 'viem';
import { SourceError } from '../../core/errors.ts';
import { ChainSource } from '../../plugins/position-source/chain/index.ts';
import { ctfAbi, multicall3Abi } from '../../plugins/position-source/chain/chain-reader.ts';
import { startHangingServer, startJsonRpcStub, type StubAnswer } from '../support/loopback.ts';

const FUNDER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const IDS = ['1', '2', '3'];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

const uint = (v: bigint): Hex => encodeAbiParameters([{ type: 'uint256' }], [v]);

/** A well-formed aggregate3 answer whose balanceOfBatch part the test chooses. */
function aggregateAnswer(balancesData: Hex, opts: { block?: bigint; chainId?: bigint; success?: boolean } = {}): Hex {
  return encodeFunctionResult({
    abi: multicall3Abi,
    functionName: 'aggregate3',
    result: [
      { success: true, returnData: uint(opts.block ?? 42n) },
      { success: true, returnData: uint(opts.chainId ?? 137n) },
      { success: opts.success ?? true, returnData: balancesData },
    ],
  });
}

async function sourceAnswering(answer: StubAnswer, path = ''): Promise<ChainSource> {
  const stub = await startJsonRpcStub(() => answer);
  closers.push(stub.close);
  return new ChainSource({
    rpcUrl: `${stub.url}${path}`, chainId: 137, contract: '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045', funder: FUNDER,
    batch: 'balanceOfBatch', multicallAddress: '0xcA11bde05977b3631167028862bE2a173976CA11', pollIntervalMs: 1000, timeoutMs: 1000,
  });
}

async function failure(s: ChainSource): Promise<SourceError> {
  const err = await s.fetchBalances(IDS).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

describe('chain source against a scripted JSON-RPC server', () => {
  it('decodes a well-formed aggregate3 answer, block included', async () => {
    const data = encodeFunctionResult({ abi: ctfAbi, functionName: 'balanceOfBatch', result: [1n, 2n, 3n] });
    const report = await (await sourceAnswering({ result: aggregateAnswer(data) })).fetchBalances(IDS);
    expect(report.block).toBe(42n);
    expect([...report.balances.values()]).toEqual([1n, 2n, 3n]);
  });

  it('rejects a balanceOfBatch answer with the wrong number of balances', async () => {
    const data = encodeFunctionResult({ abi: ctfAbi, functionName: 'balanceOfBatch', result: [1n, 2n] });
    const err = await failure(await sourceAnswering({ result: aggregateAnswer(data) }));
    expect(err.code).toBe('CHAIN_MALFORMED');
    expect(err.message).toMatch(/expected 3 balances, got 2 from balanceOfBatch/);
  });

  it.each([
    ['truncated hex', { result: '0x1234' }, /undecodable bytes/],
    ['a non-hex string', { result: 'hello' }, /expected hex call data/],
    ['a null result', { result: null }, /got null/],
    ['a number', { result: 7 }, /expected hex call data/],
    ['unparseable JSON', { raw: 'not json' }, /unparseable JSON/],
  ] as const)('rejects %s as a malformed answer', async (_what, answer, pattern) => {
    const err = await failure(await sourceAnswering(answer as StubAnswer));
    expect(err.code).toBe('CHAIN_MALFORMED');
    expect(err.message).toMatch(pattern);
  });

  it('rejects an aggregate3 answer with a missing result and a short block number', async () => {
    const two = encodeFunctionResult({
      abi: multicall3Abi,
      functionName: 'aggregate3',
      result: [{ success: true, returnData: uint(1n) }, { success: true, returnData: uint(137n) }],
    });
    expect((await failure(await sourceAnswering({ result: two }))).message).toMatch(/expected 3 aggregate3 results, got 2/);
    const shortBlock = encodeFunctionResult({
      abi: multicall3Abi,
      functionName: 'aggregate3',
      result: [{ success: true, returnData: '0x01' }, { success: true, returnData: uint(137n) }, { success: true, returnData: '0x' }],
    });
    expect((await failure(await sourceAnswering({ result: shortBlock }))).message).toMatch(/32-byte uint256 from getBlockNumber/);
  });

  it('turns a JSON-RPC error into a retryable CHAIN_RPC error carrying the node\'s message', async () => {
    const err = await failure(await sourceAnswering({ error: { code: -32000, message: 'header not found' } }));
    expect(err.code).toBe('CHAIN_RPC');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('header not found');
  });

  it.each([429, 503])('turns HTTP %i into a retryable CHAIN_HTTP error with the status', async (status) => {
    const err = await failure(await sourceAnswering({ raw: 'busy', status, contentType: 'text/plain' }));
    expect(err.code).toBe('CHAIN_HTTP');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(String(status));
  });

  it('never puts the RPC URL path (where API keys live) in an error message', async () => {
    const err = await failure(await sourceAnswering({ raw: 'busy', status: 503, contentType: 'text/plain' }, '/v2/SUPERSECRETKEY'));
    expect(err.message).not.toContain('SUPERSECRETKEY');
  });

  it('gives up on an RPC that accepts the connection and never answers', async () => {
    const hang = await startHangingServer();
    closers.push(hang.close);
    const s = new ChainSource({
      rpcUrl: hang.url, chainId: 137, contract: '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045', funder: FUNDER,
      batch: 'multicall', multicallAddress: '0xcA11bde05977b3631167028862bE2a173976CA11', pollIntervalMs: 1000, timeoutMs: 300,
    });
    const t0 = performance.now();
    const err = await failure(s);
    expect(err.code).toBe('CHAIN_TIMEOUT');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(hang.connections()).toBe(1);
  });

  it('stops waiting as soon as the caller aborts', async () => {
    const hang = await startHangingServer();
    closers.push(hang.close);
    const s = new ChainSource({
      rpcUrl: hang.url, chainId: 137, contract: '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045', funder: FUNDER,
      batch: 'multicall', multicallAddress: '0xcA11bde05977b3631167028862bE2a173976CA11', pollIntervalMs: 1000, timeoutMs: 10_000,
    });
    const err = await s.fetchBalances(IDS, AbortSignal.timeout(100)).then(() => undefined, (e: unknown) => e as SourceError);
    expect(err?.code).toBe('SOURCE_ABORTED');
  });
});
