/**
 * The simulator's chain: a real anvil (chain id 137) with the real CTF, a pUSD-like collateral and
 * Multicall3 at Polygon's addresses, binary markets prepared, dev accounts funded and approved, and
 * trades settled by the V2 exchange addresses in one block each. Clients reach it through a
 * fault-injecting JSON-RPC proxy (`rpcUrl`); the simulator itself uses `anvilRpcUrl`.
 */
import { createWalletClient, defineChain, encodeFunctionData, getAddress, http, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { devAccount } from './dev-keys.ts';
import { PolyquoteError } from '../../core/errors.ts';
import { launchAnvil, type AnvilProcess } from './anvil-process.ts';
import { AnvilRpc } from './anvil-rpc.ts';
import { deploySimContracts, type SimContracts } from './deploy.ts';
import { BLOCK_GAS_LIMIT, OPERATOR_INDEX, SIM_OPERATOR, validateOptions, type SimChainOptions } from './options.ts';
import { enableExchanges, fundingTxs, prepareMarkets, type SimChainMarket } from './funding.ts';
import { RpcFaultProxy } from './rpc-fault-proxy.ts';
import type { RpcFaults } from './rpc-faults.ts';
import { readSettlementState, readTokenBalances, readCollateral, simulateCalls } from './chain-reads.ts';
import { SettlementError, checkSettlement, ctfSettleAbi, resolveOps, settlementCalls, stateQueries, type SettlementOp } from './settlement.ts';

export { ANVIL_MNEMONIC, devAccount } from './dev-keys.ts';
export { SIM_OPERATOR, marketIdsFor, type SimChainOptions } from './options.ts';
export type { SimChainMarket } from './funding.ts';
export type { SimContracts } from './deploy.ts';
export type { RpcFaults, FaultDecision } from './rpc-faults.ts';
export type { SettlementOp } from './settlement.ts';
export { SettlementError } from './settlement.ts';
export { planFaults } from './rpc-faults.ts';
export { RpcFaultProxy, FAULT_HEADER } from './rpc-fault-proxy.ts';
export { binaryPositionIds, collectionIdOf, conditionIdOf, positionIdOf, questionIdOf } from './positions.ts';
export { POLYGON_CTF, POLYGON_PUSD, MULTICALL3, EXCHANGE_V2, NEG_RISK_EXCHANGE_V2 } from './deploy.ts';

export interface SimChainAccount {
  readonly address: Address;
  readonly privateKey: Hex;
}

export interface SettleResult {
  readonly txHashes: Hex[];
  readonly block: bigint;
}

export class SimChain {
  readonly chainId = 137 as const;
  /** What clients use: the fault-injecting JSON-RPC proxy (HTTP only). */
  readonly rpcUrl: string;
  /** anvil itself, no faults: the simulator's own reads and writes. */
  readonly anvilRpcUrl: string;
  /** anvil's websocket endpoint (same port), no faults: for clients that subscribe to events. */
  readonly anvilWsUrl: string;
  private queue: Promise<unknown> = Promise.resolve();
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly anvil: AnvilProcess,
    private readonly proxy: RpcFaultProxy,
    private readonly rpc: AnvilRpc,
    readonly accounts: readonly SimChainAccount[],
    readonly markets: readonly SimChainMarket[],
    readonly contracts: SimContracts,
  ) {
    this.rpcUrl = proxy.url;
    this.anvilRpcUrl = anvil.rpcUrl;
    this.anvilWsUrl = anvil.rpcUrl.replace(/^http:/, 'ws:');
  }

  /** Starts anvil, deploys, prepares the markets, funds the accounts and opens the fault proxy. */
  static async start(options: SimChainOptions): Promise<SimChain> {
    validateOptions(options);
    const n = options.accounts ?? 4;
    const anvil = await launchAnvil({ chainId: 137, accounts: OPERATOR_INDEX + 1, port: options.anvilPort, gasLimit: BLOCK_GAS_LIMIT });
    let proxy: RpcFaultProxy | undefined;
    try {
      const rpc = new AnvilRpc(anvil.rpcUrl);
      const accounts = Array.from({ length: n }, (_, i) => devAccount(i));
      const operator = getAddress(devAccount(OPERATOR_INDEX).address);
      if (operator !== SIM_OPERATOR) throw new PolyquoteError('SIM_CHAIN_KEYS', `sim chain: expected dev account ${OPERATOR_INDEX} to be ${SIM_OPERATOR}, got ${operator}`);
      const contracts = await deploySimContracts(rpc, operator);
      const markets = await prepareMarkets(rpc, contracts, options.markets);
      await enableExchanges(rpc, contracts);
      const collateral = options.collateralPerAccount ?? 100_000_000_000n;
      const shares = options.sharesPerAccount ?? 1_000_000_000n;
      await rpc.mineAll(accounts.flatMap((a) => fundingTxs(contracts, a.address, markets, collateral, shares)));
      proxy = await RpcFaultProxy.start({ targetUrl: anvil.rpcUrl, seed: options.seed ?? 1, faults: options.faults ?? {} });
      return new SimChain(anvil, proxy, rpc, Object.freeze(accounts), Object.freeze(markets), Object.freeze(contracts));
    } catch (err) {
      await proxy?.close();
      await anvil.stop();
      throw err;
    }
  }

  /**
   * Executes one trade's ops, all mined in ONE block; resolves when mined. Refuses (SettlementError,
   * nothing changed) if any op would fail. Calls are serialised.
   */
  settle(ops: readonly SettlementOp[]): Promise<SettleResult> {
    return this.enqueue(() => this.settleNow(ops));
  }

  private async settleNow(ops: readonly SettlementOp[]): Promise<SettleResult> {
    const resolved = resolveOps(ops, this.markets, this.contracts);
    const state = await readSettlementState(this.rpc, this.contracts, stateQueries(resolved));
    checkSettlement(resolved, state);
    const calls = settlementCalls(resolved, this.contracts);
    const gas = calls.reduce((sum, c) => sum + c.gas, 0n);
    if (gas > BLOCK_GAS_LIMIT) {
      throw new SettlementError('SIM_CHAIN_OP_INVALID', `settle: expected the ${ops.length} ops of one trade to fit one block (${BLOCK_GAS_LIMIT} gas), got ${calls.length} transactions reserving ${gas} gas; split the trade`);
    }
    await simulateCalls(this.rpc, calls);
    // Mined together in one block. The snapshot is the safety net for what the dry run cannot see: a
    // transaction someone else sends to anvil between the dry run and the mining.
    await this.rpc.request('evm_setAutomine', [false]);
    let snapshot: Hex | undefined;
    try {
      snapshot = await this.rpc.request<Hex>('evm_snapshot');
      const nonces = new Map<string, number>();
      const txHashes: Hex[] = [];
      for (const c of calls) {
        const nonce = nonces.get(c.from) ?? (await this.rpc.nonce(c.from, 'latest'));
        nonces.set(c.from, nonce + 1);
        txHashes.push(await this.rpc.send({ from: c.from, to: c.to, data: c.data, gas: c.gas, nonce }));
      }
      await this.rpc.request('evm_mine');
      const receipts = await Promise.all(txHashes.map((h) => this.rpc.receipt(h)));
      const blocks = new Set(receipts.map((r) => r.blockNumber));
      const failed = receipts.findIndex((r) => r.status !== 'success');
      if (failed >= 0 || blocks.size !== 1) {
        await this.rpc.request('evm_revert', [snapshot]);
        snapshot = undefined;
        const why = failed >= 0 ? `${calls[failed]!.label} reverted` : `its transactions spread over blocks ${[...blocks].join(', ')}`;
        throw new SettlementError('SIM_CHAIN_SETTLE_FAILED', `settle: ${why}; the block was rolled back and nothing was settled`);
      }
      return { txHashes, block: receipts[0]!.blockNumber };
    } catch (err) {
      // Whatever went wrong (a send refused, a receipt that never came), leave no partial trade behind.
      await this.rpc.request('anvil_dropAllTransactions').catch(() => undefined);
      if (snapshot) await this.rpc.request('evm_revert', [snapshot]).catch(() => undefined);
      throw err;
    } finally {
      await this.rpc.request('evm_setAutomine', [true]).catch(() => undefined);
    }
  }

  /**
   * CTF mergePositions of `shares` from `owner`'s own account, signed locally with its dev key (a
   * wallet recycling capital); resolves with the mined block. Serialised with settle().
   */
  mergeFor(owner: Address, conditionId: Hex, shares: bigint): Promise<{ txHash: Hex; block: bigint }> {
    return this.enqueue(async () => {
      const account = this.accounts.find((a) => a.address.toLowerCase() === String(owner).toLowerCase());
      if (!account) throw new SettlementError('SIM_CHAIN_OP_INVALID', `mergeFor: expected owner to be one of the sim chain's accounts, got ${String(owner)}`);
      const market = this.markets.find((m) => m.conditionId.toLowerCase() === String(conditionId).toLowerCase());
      if (!market) throw new SettlementError('SIM_CHAIN_OP_INVALID', `mergeFor: expected conditionId to be one of the sim chain's markets, got ${String(conditionId)}`);
      if (typeof shares !== 'bigint' || shares <= 0n) throw new SettlementError('SIM_CHAIN_OP_INVALID', `mergeFor: expected a positive bigint at shares, got ${String(shares)}`);
      const held = await readTokenBalances(this.rpc, this.contracts.ctf, account.address, market.tokens);
      for (const [i, id] of market.tokens.entries()) {
        const have = held.get(id) ?? 0n;
        if (have < shares) {
          throw new SettlementError('SIM_CHAIN_SETTLE_REJECTED', `mergeFor: expected ${account.address} to hold at least ${shares} of ${i === 0 ? 'YES' : 'NO'} token ${id}, got ${have}; nothing was merged`);
        }
      }
      const chain = defineChain({ id: 137, name: 'sim chain', nativeCurrency: { name: 'POL', symbol: 'POL', decimals: 18 }, rpcUrls: { default: { http: [this.anvilRpcUrl] } } });
      const wallet = createWalletClient({ chain, transport: http(this.anvilRpcUrl, { retryCount: 0 }), account: privateKeyToAccount(account.privateKey) });
      const txHash = await wallet.sendTransaction({
        to: this.contracts.ctf,
        gas: 400_000n,
        data: encodeFunctionData({ abi: ctfSettleAbi, functionName: 'mergePositions', args: [this.contracts.collateral, `0x${'00'.repeat(32)}`, market.conditionId, [1n, 2n], shares] }),
      });
      const r = await this.rpc.receipt(txHash);
      if (r.status !== 'success') throw new SettlementError('SIM_CHAIN_SETTLE_FAILED', `mergeFor: mergePositions by ${account.address} reverted (tx ${txHash})`);
      return { txHash, block: r.blockNumber };
    });
  }

  balanceOf(owner: Address, tokenId: string): Promise<bigint> {
    return readTokenBalances(this.rpc, this.contracts.ctf, owner, [tokenId]).then((m) => m.get(tokenId)!);
  }

  balancesOf(owner: Address, tokenIds: readonly string[]): Promise<Map<string, bigint>> {
    return readTokenBalances(this.rpc, this.contracts.ctf, owner, tokenIds);
  }

  collateralOf(owner: Address): Promise<bigint> {
    return readCollateral(this.rpc, this.contracts.collateral, owner);
  }

  /** Replaces the proxy's faults at run time (the seeded PRNG stream continues). */
  setFaults(f: RpcFaults): void {
    this.proxy.setFaults(f);
  }

  /** The `positionSources` entry a bot uses to read `funder`'s balances from this chain (through the fault proxy). */
  positionSourceConfig(funder: Address): { kind: 'chain'; rpcUrl: string; chainId: 137; contract: Address; funder: Address; batch: 'multicall'; multicallAddress: Address } {
    return { kind: 'chain', rpcUrl: this.rpcUrl, chainId: 137, contract: this.contracts.ctf, funder, batch: 'multicall', multicallAddress: this.contracts.multicall3 };
  }

  /** Counters of the fault proxy: requests seen, errors and stalls injected. */
  get faultStats() {
    return this.proxy.stats;
  }

  /** Kills anvil and closes the proxy; idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.queue.catch(() => undefined);
      await this.proxy.close();
      await this.anvil.stop();
    })();
    return this.stopping;
  }

  /** anvil's process id (for checks that stop() really ended it). */
  get anvilPid(): number {
    return this.anvil.pid;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.stopping) return Promise.reject(new PolyquoteError('SIM_CHAIN_STOPPED', 'sim chain: stopped; no more settlements'));
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
