import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, http, parseAbi, type Address, type Hex, type PublicClient } from 'viem';
import { PolyquoteError, SourceError } from '../../../core/errors.ts';
import type { PositionSource } from '../../../core/sources/position-source.ts';
import { ChainSource } from '../../../plugins/position-source/chain/index.ts';
import { SimChain, marketIdsFor } from '../../../sim/chain/sim-chain.ts';
import { binaryPositionIds, collectionIdOf, positionIdOf } from '../../../sim/chain/positions.ts';
import { buildSource, sourceContext } from '../../support/source-context.ts';

const COLLATERAL = 1_000_000_000n; // 1 000 pUSD per account
const SHARES = 100_000_000n; // 100 of each outcome per market per account
const MAX = 2n ** 256n - 1n;
const ctfAbi = parseAbi([
  'function getCollectionId(bytes32 parentCollectionId, bytes32 conditionId, uint256 indexSet) view returns (bytes32)',
  'function getPositionId(address collateralToken, bytes32 collectionId) view returns (uint256)',
  'function isApprovedForAll(address owner, address operator) view returns (bool)',
  'function setApprovalForAll(address operator, bool approved)',
  'function supportsInterface(bytes4 interfaceId) view returns (bool)',
]);
const erc20Abi = parseAbi(['function allowance(address owner, address spender) view returns (uint256)', 'function decimals() view returns (uint8)']);

let chain: SimChain;
let client: PublicClient;
const open: PositionSource[] = [];

beforeAll(async () => {
  chain = await SimChain.start({
    seed: 5,
    markets: [{ question: 'Will the sim settle?', negRisk: false }, { question: 'Neg-risk outcome A?', negRisk: true }],
    collateralPerAccount: COLLATERAL,
    sharesPerAccount: SHARES,
  });
  client = createPublicClient({ transport: http(chain.anvilRpcUrl, { retryCount: 0 }), cacheTime: 0 }) as PublicClient;
});

afterAll(async () => {
  await Promise.all(open.map((s) => s.dispose()));
  await chain?.stop();
});

/** Every balance a settle can touch, for before/after comparisons. */
async function snapshot(): Promise<Record<string, bigint>> {
  const out: Record<string, bigint> = {};
  const holders = [...chain.accounts.map((a) => a.address), chain.contracts.exchange, chain.contracts.negRiskExchange];
  for (const h of holders) {
    out[`${h}:collateral`] = await chain.collateralOf(h);
    const ids = chain.markets.flatMap((m) => m.tokens);
    for (const [id, v] of await chain.balancesOf(h, ids)) out[`${h}:${id}`] = v;
  }
  return out;
}

function diff(before: Record<string, bigint>, after: Record<string, bigint>): Record<string, bigint> {
  const d: Record<string, bigint> = {};
  for (const k of Object.keys(after)) if (after[k] !== before[k]) d[k] = after[k]! - before[k]!;
  return d;
}

async function rejection(p: Promise<unknown>): Promise<PolyquoteError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(PolyquoteError);
  return err as PolyquoteError;
}

describe('SimChain on a real anvil', () => {
  it('runs chain id 137 with the CTF, collateral and Multicall3 at Polygon\'s addresses, and anvil\'s dev keys', async () => {
    const viaProxy = createPublicClient({ transport: http(chain.rpcUrl, { retryCount: 0 }) });
    expect(await viaProxy.getChainId()).toBe(137);
    expect(chain.chainId).toBe(137);
    expect(chain.contracts).toMatchObject({
      ctf: '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045', collateral: '0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB',
      multicall3: '0xcA11bde05977b3631167028862bE2a173976CA11', exchange: '0xE111180000d2663C0091e4f400237545B87B996B',
      negRiskExchange: '0xe2222d279d744050d28e00520010520000310F59',
    });
    for (const a of [chain.contracts.ctf, chain.contracts.collateral, chain.contracts.multicall3]) expect((await client.getCode({ address: a }))?.length).toBeGreaterThan(100);
    for (const x of [chain.contracts.exchange, chain.contracts.negRiskExchange]) expect(await client.getCode({ address: x })).toBeUndefined();
    expect(await client.readContract({ address: chain.contracts.ctf, abi: ctfAbi, functionName: 'supportsInterface', args: ['0xd9b67a26'] })).toBe(true);
    expect(await client.readContract({ address: chain.contracts.collateral, abi: erc20Abi, functionName: 'decimals' })).toBe(6);
    expect(chain.accounts).toHaveLength(4);
    expect(chain.accounts[0]).toEqual({
      address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
      privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
    });
    expect(chain.contracts.operator).toBe('0xa0Ee7A142d267C1f36714E4a8F75612F20a79720');
  });

  it('funds and approves every account as a real wallet: collateral, both outcomes of every market, both exchanges', async () => {
    for (const { address } of chain.accounts) {
      expect(await chain.collateralOf(address)).toBe(COLLATERAL);
      for (const m of chain.markets) {
        expect([...(await chain.balancesOf(address, m.tokens)).values()]).toEqual([SHARES, SHARES]);
        expect(await chain.balanceOf(address, m.tokens[1])).toBe(SHARES);
      }
      for (const x of [chain.contracts.exchange, chain.contracts.negRiskExchange]) {
        expect(await client.readContract({ address: chain.contracts.ctf, abi: ctfAbi, functionName: 'isApprovedForAll', args: [address, x] })).toBe(true);
        expect(await client.readContract({ address: chain.contracts.collateral, abi: erc20Abi, functionName: 'allowance', args: [address, x] })).toBe(MAX);
      }
    }
  });

  it('computes position ids locally exactly as the CTF contract does, for its markets and for arbitrary conditions', async () => {
    const onChain = async (conditionId: Hex, indexSet: bigint) => {
      const collectionId = await client.readContract({ address: chain.contracts.ctf, abi: ctfAbi, functionName: 'getCollectionId', args: [`0x${'00'.repeat(32)}`, conditionId, indexSet] });
      expect(collectionId).toBe(collectionIdOf(conditionId, indexSet));
      return client.readContract({ address: chain.contracts.ctf, abi: ctfAbi, functionName: 'getPositionId', args: [chain.contracts.collateral, collectionId] });
    };
    for (const m of chain.markets) {
      expect([(await onChain(m.conditionId, 1n)).toString(), (await onChain(m.conditionId, 2n)).toString()]).toEqual([...m.tokens]);
      expect(binaryPositionIds(chain.contracts.collateral, m.conditionId)).toEqual(m.tokens);
      expect(marketIdsFor(m.question)).toEqual({ questionId: m.questionId, conditionId: m.conditionId, tokens: m.tokens });
    }
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom(1n, 2n, 3n), async (bytes, indexSet) => {
        const conditionId = `0x${Buffer.from(bytes).toString('hex')}` as Hex;
        expect(await onChain(conditionId, indexSet)).toBe(positionIdOf(chain.contracts.collateral, collectionIdOf(conditionId, indexSet)));
      }),
      { numRuns: 25, seed: 20261201 },
    );
  });

  it('settles a same-token transfer: tokens seller → buyer, collateral buyer → seller, sent by the standard exchange in one block', async () => {
    const [a, b] = chain.accounts.map((x) => x.address) as [Address, Address];
    const yes = chain.markets[0]!.tokens[0];
    const before = await snapshot();
    const start = await client.getBlockNumber();
    const r = await chain.settle([{ kind: 'transfer', seller: a, buyer: b, tokenId: yes, shares: 10_000_000n, collateral: 6_500_000n }]);
    expect(r.block).toBe(start + 1n);
    expect(r.txHashes).toHaveLength(2);
    for (const h of r.txHashes) {
      const tx = await client.getTransaction({ hash: h });
      expect(tx.blockNumber).toBe(r.block);
      expect(tx.from.toLowerCase()).toBe(chain.contracts.exchange.toLowerCase());
    }
    expect(diff(before, await snapshot())).toEqual({
      [`${a}:${yes}`]: -10_000_000n, [`${b}:${yes}`]: 10_000_000n, [`${a}:collateral`]: 6_500_000n, [`${b}:collateral`]: -6_500_000n,
    });
  });

  it('settles a mint: both buyers\' collateral in, splitPosition, YES and NO out, the surplus kept by the exchange', async () => {
    const [, , c, d] = chain.accounts.map((x) => x.address) as [Address, Address, Address, Address];
    const m = chain.markets[0]!;
    const before = await snapshot();
    const r = await chain.settle([{ kind: 'mint', conditionId: m.conditionId, yesBuyer: c, noBuyer: d, shares: 20_000_000n, yesCollateral: 12_000_000n, noCollateral: 8_100_000n }]);
    expect(r.txHashes).toHaveLength(5);
    const blocks = await Promise.all(r.txHashes.map(async (h) => (await client.getTransactionReceipt({ hash: h })).blockNumber));
    expect(new Set(blocks)).toEqual(new Set([r.block]));
    expect(diff(before, await snapshot())).toEqual({
      [`${c}:${m.tokens[0]}`]: 20_000_000n, [`${d}:${m.tokens[1]}`]: 20_000_000n,
      [`${c}:collateral`]: -12_000_000n, [`${d}:collateral`]: -8_100_000n, [`${chain.contracts.exchange}:collateral`]: 100_000n,
    });
  });

  it('settles a merge on a neg-risk market through the neg-risk exchange: tokens in, mergePositions, collateral out', async () => {
    const [a, b] = chain.accounts.map((x) => x.address) as [Address, Address];
    const m = chain.markets[1]!;
    const before = await snapshot();
    const r = await chain.settle([{ kind: 'merge', conditionId: m.conditionId, yesSeller: a, noSeller: b, shares: 30_000_000n, yesCollateral: 21_000_000n, noCollateral: 9_000_000n }]);
    const tx = await client.getTransaction({ hash: r.txHashes[2]! });
    expect(tx.from.toLowerCase()).toBe(chain.contracts.negRiskExchange.toLowerCase());
    expect(diff(before, await snapshot())).toEqual({
      [`${a}:${m.tokens[0]}`]: -30_000_000n, [`${b}:${m.tokens[1]}`]: -30_000_000n,
      [`${a}:collateral`]: 21_000_000n, [`${b}:collateral`]: 9_000_000n,
    });
  });

  it('settles several ops of one trade in one block', async () => {
    const [a, b, c] = chain.accounts.map((x) => x.address) as [Address, Address, Address];
    const m = chain.markets[0]!;
    const before = await snapshot();
    const r = await chain.settle([
      { kind: 'transfer', seller: a, buyer: c, tokenId: m.tokens[1], shares: 1_000_000n, collateral: 400_000n },
      { kind: 'mint', conditionId: m.conditionId, yesBuyer: b, noBuyer: c, shares: 2_000_000n, yesCollateral: 1_200_000n, noCollateral: 800_000n },
    ]);
    const receipts = await Promise.all(r.txHashes.map((h) => client.getTransactionReceipt({ hash: h })));
    expect(receipts.every((x) => x.blockNumber === r.block && x.status === 'success')).toBe(true);
    expect(diff(before, await snapshot())).toEqual({
      [`${a}:${m.tokens[1]}`]: -1_000_000n, [`${c}:${m.tokens[1]}`]: 3_000_000n, [`${b}:${m.tokens[0]}`]: 2_000_000n,
      [`${a}:collateral`]: 400_000n, [`${b}:collateral`]: -1_200_000n, [`${c}:collateral`]: -1_200_000n,
    });
  });

  it('mines a trade against a hundred makers (200 transactions) in one block, and refuses one too big for a block', async () => {
    const [a, b, c] = chain.accounts.map((x) => x.address) as [Address, Address, Address];
    const no = chain.markets[1]!.tokens[1];
    const before = await snapshot();
    const ops = Array.from({ length: 100 }, (_, i) => ({ kind: 'transfer' as const, seller: i % 2 ? a : c, buyer: b, tokenId: no, shares: 100_000n, collateral: 30_000n }));
    const r = await chain.settle(ops);
    expect(r.txHashes).toHaveLength(200);
    const block = await client.getBlock({ blockNumber: r.block });
    expect(block.transactions).toEqual(r.txHashes);
    expect(block.gasUsed).toBeGreaterThan(0n);
    expect(diff(before, await snapshot())).toEqual({
      [`${a}:${no}`]: -5_000_000n, [`${c}:${no}`]: -5_000_000n, [`${b}:${no}`]: 10_000_000n,
      [`${a}:collateral`]: 1_500_000n, [`${c}:collateral`]: 1_500_000n, [`${b}:collateral`]: -3_000_000n,
    });
    const huge = Array.from({ length: 751 }, () => ({ ...ops[0]!, shares: 1n, collateral: 1n }));
    const mid = await snapshot();
    const height = await client.getBlockNumber();
    const err = await rejection(chain.settle(huge));
    expect(err.message).toBe('settle: expected the 751 ops of one trade to fit one block (300000000 gas), got 1502 transactions reserving 300400000 gas; split the trade');
    expect(await snapshot()).toEqual(mid);
    expect(await client.getBlockNumber()).toBe(height);
  });

  it('refuses a trade with an insufficient balance clearly and changes nothing, not even the block number', async () => {
    const [a, b] = chain.accounts.map((x) => x.address) as [Address, Address];
    const m = chain.markets[0]!;
    const before = await snapshot();
    const block = await client.getBlockNumber();
    const err = await rejection(chain.settle([
      { kind: 'transfer', seller: a, buyer: b, tokenId: m.tokens[0], shares: 1_000_000n, collateral: 500_000n },
      { kind: 'transfer', seller: b, buyer: a, tokenId: m.tokens[1], shares: SHARES * 10n, collateral: 1n },
    ]));
    expect(err.code).toBe('SIM_CHAIN_SETTLE_REJECTED');
    expect(err.message).toContain(`settle op 1 (transfer): expected seller ${b} to hold at least 1000000000 (1000) of token`);
    expect(err.message).toContain('nothing was settled');
    expect(await snapshot()).toEqual(before);
    expect(await client.getBlockNumber()).toBe(block);
    const next = await chain.settle([{ kind: 'transfer', seller: a, buyer: b, tokenId: m.tokens[0], shares: 1n, collateral: 1n }]);
    expect(next.block).toBe(block + 1n);
  });

  it('refuses, with the chain\'s reason, an op the chain itself would revert (tokens sent to a contract that cannot receive ERC-1155)', async () => {
    const [a, b] = chain.accounts.map((x) => x.address) as [Address, Address];
    const m = chain.markets[0]!;
    const before = await snapshot();
    const block = await client.getBlockNumber();
    const err = await rejection(chain.settle([
      { kind: 'transfer', seller: a, buyer: b, tokenId: m.tokens[0], shares: 2_000_000n, collateral: 1_000_000n },
      { kind: 'transfer', seller: a, buyer: chain.contracts.collateral, tokenId: m.tokens[1], shares: 1n, collateral: 0n },
    ]));
    expect(err.code).toBe('SIM_CHAIN_SETTLE_REJECTED');
    expect(err.message).toMatch(/^settle: op 1 transfer: tokens seller → buyer would revert on chain \(.+\); nothing was settled$/);
    expect(await client.getBlockNumber()).toBe(block);
    expect(await snapshot()).toEqual(before);
    expect((await chain.settle([{ kind: 'transfer', seller: a, buyer: b, tokenId: m.tokens[0], shares: 1n, collateral: 1n }])).block).toBe(block + 1n);
  });

  it('settles only because the wallet approved the exchange: a revoked approval is refused', async () => {
    const [, , , d] = chain.accounts as [unknown, unknown, unknown, { address: Address }];
    const m = chain.markets[0]!;
    const wallet = await import('viem').then((v) => v.createWalletClient({ transport: http(chain.anvilRpcUrl, { retryCount: 0 }) }));
    const revoke = (approved: boolean) => wallet.writeContract({
      address: chain.contracts.ctf, abi: ctfAbi, functionName: 'setApprovalForAll', args: [chain.contracts.exchange, approved], account: d.address, chain: null,
    });
    await client.waitForTransactionReceipt({ hash: await revoke(false), pollingInterval: 20 });
    try {
      const err = await rejection(chain.settle([{ kind: 'transfer', seller: d.address, buyer: chain.accounts[0]!.address, tokenId: m.tokens[0], shares: 1n, collateral: 1n }]));
      expect(err.message).toContain(`expected seller ${d.address} to have approved exchange ${chain.contracts.exchange}`);
    } finally {
      await client.waitForTransactionReceipt({ hash: await revoke(true), pollingInterval: 20 });
    }
  });

  it('rejects ops that name unknown tokens or markets before touching the chain', async () => {
    const err = await rejection(chain.settle([{ kind: 'merge', conditionId: `0x${'ab'.repeat(32)}`, yesSeller: chain.accounts[0]!.address, noSeller: chain.accounts[1]!.address, shares: 1n, yesCollateral: 0n, noCollateral: 0n }]));
    expect(err.code).toBe('SIM_CHAIN_OP_INVALID');
    expect(err.message).toContain('expected conditionId to be one of the chain\'s markets');
    await expect(chain.balanceOf(chain.accounts[0]!.address, '0x12')).rejects.toThrow(/canonical uint256 decimal string, got 0x12/);
  });

  it('serialises concurrent settle() calls: one block each, in call order, none lost', async () => {
    const [a, b] = chain.accounts.map((x) => x.address) as [Address, Address];
    const yes = chain.markets[1]!.tokens[0];
    const before = await snapshot();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      chain.settle([{ kind: 'transfer', seller: a, buyer: b, tokenId: yes, shares: BigInt(i + 1) * 1_000_000n, collateral: 100_000n }])));
    const blocks = results.map((r) => r.block);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]).toBe(blocks[i - 1]! + 1n);
    expect(diff(before, await snapshot())).toEqual({
      [`${a}:${yes}`]: -21_000_000n, [`${b}:${yes}`]: 21_000_000n, [`${a}:collateral`]: 600_000n, [`${b}:collateral`]: -600_000n,
    });
  });

  it('merges from the owner\'s own account with mergeFor, signed with its dev key', async () => {
    const owner = chain.accounts[2]!.address;
    const m = chain.markets[1]!;
    const before = await snapshot();
    const r = await chain.mergeFor(owner, m.conditionId, 5_000_000n);
    // The receipt, not the transaction: anvil may briefly serve the transaction as pending after mining.
    const tx = await client.getTransactionReceipt({ hash: r.txHash });
    expect(tx.from.toLowerCase()).toBe(owner.toLowerCase());
    expect(tx.blockNumber).toBe(r.block);
    expect(diff(before, await snapshot())).toEqual({
      [`${owner}:${m.tokens[0]}`]: -5_000_000n, [`${owner}:${m.tokens[1]}`]: -5_000_000n, [`${owner}:collateral`]: 5_000_000n,
    });
    const err = await rejection(chain.mergeFor(owner, m.conditionId, SHARES * 100n));
    expect(err.message).toContain('nothing was merged');
  });

  it('serves the repo\'s chain position source through the fault proxy via Multicall3, default Polygon addresses included', async () => {
    const funder = chain.accounts[1]!.address;
    const ids = chain.markets.flatMap((m) => m.tokens);
    const source = new ChainSource({
      rpcUrl: chain.rpcUrl, chainId: 137, contract: chain.contracts.ctf, funder, batch: 'multicall',
      multicallAddress: chain.contracts.multicall3, pollIntervalMs: 1000, timeoutMs: 3000,
    });
    open.push(source);
    const requestsBefore = chain.faultStats.requests;
    const report = await source.fetchBalances(ids);
    expect(report.complete).toBe(true);
    expect(report.roundTrips).toBe(1);
    expect(chain.faultStats.requests - requestsBefore).toBe(1);
    expect(report.balances).toEqual(await chain.balancesOf(funder, ids));
    expect(report.block).toBe(await client.getBlockNumber());
    const plugin = buildSource<PositionSource>(sourceContext({ funder }), { kind: 'chain', rpcUrl: chain.rpcUrl, batch: 'multicall' });
    open.push(plugin);
    expect((await plugin.fetchBalances(ids)).balances).toEqual(report.balances);
    const configured = buildSource<PositionSource>(sourceContext(), chain.positionSourceConfig(funder));
    open.push(configured);
    expect((await configured.fetchBalances(ids)).balances).toEqual(report.balances);
  });

  it('injects faults at run time for clients while the simulator keeps settling on anvil directly', async () => {
    const funder = chain.accounts[0]!.address;
    const source = new ChainSource({
      rpcUrl: chain.rpcUrl, chainId: 137, contract: chain.contracts.ctf, funder, batch: 'multicall',
      multicallAddress: chain.contracts.multicall3, pollIntervalMs: 1000, timeoutMs: 3000,
    });
    open.push(source);
    chain.setFaults({ errorRate: 1 });
    try {
      const err = await source.fetchBalances([...chain.markets[0]!.tokens]).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(SourceError);
      const r = await chain.settle([{ kind: 'transfer', seller: funder, buyer: chain.accounts[1]!.address, tokenId: chain.markets[0]!.tokens[0], shares: 1n, collateral: 0n }]);
      expect(r.txHashes).toHaveLength(1);
    } finally {
      chain.setFaults({});
    }
    expect((await source.fetchBalances([...chain.markets[0]!.tokens])).complete).toBe(true);
    expect(() => chain.setFaults({ errorRate: 2 })).toThrow(/0\.\.1 at faults\.errorRate, got 2/);
  });

  it('stops: anvil\'s process is gone, the proxy refuses connections, stop() is idempotent and settle() refuses', async () => {
    const pid = chain.anvilPid;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await chain.stop();
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    await expect(fetch(chain.rpcUrl, { method: 'POST', body: '{}' })).rejects.toThrow();
    await chain.stop();
    const err = await rejection(chain.settle([]));
    expect(err.code).toBe('SIM_CHAIN_STOPPED');
  });
});
