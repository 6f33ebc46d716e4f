/**
 * The authoritative position source: the funder's ERC-1155 balances read from the CTF contract,
 * one round trip per sync (see chain-reader.ts), every snapshot stamped with its block number.
 */
import { getAddress, type Address, type PublicClient } from 'viem';
import { z } from 'zod';
import type { BalanceReport, PositionSource } from '../../../core/sources/position-source.ts';
import type { Logger } from '../../../core/logger.ts';
import { ConfigError, SourceError, errorMessage } from '../../../core/errors.ts';
import { addressSchema, elapsedMs, redactUrl, secondsSchema, validateTokenIds, withAbort } from '../support.ts';
import { readChainBalances, type BatchMode, type ChainReadTarget } from './chain-reader.ts';
import { closeChainClient, createChainClient } from './chain-client.ts';

/** Conditional Tokens (CTF) on Polygon. */
export const POLYGON_CTF_ADDRESS: Address = '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045';
/** pUSD, the V2 collateral, on Polygon. */
export const POLYGON_PUSD_ADDRESS: Address = '0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB';
/** Multicall3, same address on every chain it is deployed to. */
export const MULTICALL3_ADDRESS: Address = '0xcA11bde05977b3631167028862bE2a173976CA11';

/** Config fields shared by the `chain` and `chain-events` kinds. */
export const chainConfigFields = {
  rpcUrl: z.url({ protocol: /^(https?|wss?)$/, error: 'expected an http(s):// or ws(s):// RPC URL' }),
  chainId: z.number().int().positive().default(137),
  contract: addressSchema.default(POLYGON_CTF_ADDRESS),
  funder: addressSchema.optional(),
  batch: z.enum(['balanceOfBatch', 'multicall']).default('balanceOfBatch'),
  multicallAddress: addressSchema.default(MULTICALL3_ADDRESS),
  /** ERC-20 collateral (on Polygon pUSD, POLYGON_PUSD_ADDRESS) whose funder balance is read in the same call; unset: not read. */
  collateral: z.union([addressSchema, z.literal('none')]).optional(),
  /** Token ids per eth_call; longer lists are chunked (one extra round trip per chunk). */
  maxTokensPerCall: z.number().int().positive().max(5000).default(1000),
  intervalSeconds: secondsSchema.default(3),
  timeoutSeconds: secondsSchema.default(5),
};

export const chainConfigSchema = z.strictObject({ kind: z.literal('chain'), ...chainConfigFields });
export type ChainConfig = z.infer<typeof chainConfigSchema>;

/** Everything a ChainSource needs, independent of the plugin machinery. */
export interface ChainSourceOptions {
  readonly name?: string;
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly contract: Address;
  readonly funder: Address;
  readonly batch: BatchMode;
  readonly multicallAddress: Address;
  readonly maxTokensPerCall?: number;
  readonly collateral?: Address;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly logger?: Logger;
  /** Poll interval of http event watchers (chain-events). */
  readonly eventPollingIntervalMs?: number;
}

/** Resolves the funder from config or run identity; throws a ConfigError naming both places otherwise. */
export function resolveFunder(configured: Address | undefined, identity: Address | undefined, configPath: string): Address {
  const funder = configured ?? identity;
  if (!funder) {
    throw new ConfigError([
      { path: `${configPath}.funder`, message: 'expected a funder address here or in the run identity (the wallet that holds the tokens), got none' },
    ]);
  }
  return funder;
}

/** Builds ChainSourceOptions from a validated chain config. */
export function chainOptionsFromConfig(cfg: Omit<ChainConfig, 'kind'>, funder: Address, name: string, logger?: Logger): ChainSourceOptions {
  return {
    name,
    rpcUrl: cfg.rpcUrl,
    chainId: cfg.chainId,
    contract: cfg.contract,
    funder,
    batch: cfg.batch,
    multicallAddress: cfg.multicallAddress,
    maxTokensPerCall: cfg.maxTokensPerCall,
    ...(cfg.collateral !== undefined && cfg.collateral !== 'none' && { collateral: cfg.collateral }),
    pollIntervalMs: cfg.intervalSeconds * 1000,
    timeoutMs: cfg.timeoutSeconds * 1000,
    ...(logger ? { logger } : {}),
  };
}

/** Reads CTF balances with Multicall3 aggregate3 (balanceOfBatch or per-token balanceOf inside). */
export class ChainSource implements PositionSource {
  readonly name: string;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  protected readonly client: PublicClient;
  protected readonly target: ChainReadTarget;
  protected readonly logger: Logger | undefined;

  constructor(opts: ChainSourceOptions) {
    this.name = opts.name ?? 'chain';
    this.pollIntervalMs = opts.pollIntervalMs;
    this.timeoutMs = opts.timeoutMs;
    this.logger = opts.logger;
    this.client = createChainClient({
      rpcUrl: opts.rpcUrl,
      chainId: opts.chainId,
      timeoutMs: opts.timeoutMs,
      ...(opts.eventPollingIntervalMs ? { pollingIntervalMs: opts.eventPollingIntervalMs } : {}),
    });
    this.target = {
      source: this.name,
      client: this.client,
      rpcUrl: opts.rpcUrl,
      // Lowercased first: a mistyped checksum is not a reason to fail every sync.
      contract: getAddress(opts.contract.toLowerCase()),
      multicall: getAddress(opts.multicallAddress.toLowerCase()),
      funder: getAddress(opts.funder.toLowerCase()),
      chainId: opts.chainId,
      batch: opts.batch,
      maxTokensPerCall: opts.maxTokensPerCall ?? 1000,
      ...(opts.collateral && { collateral: getAddress(opts.collateral.toLowerCase()) }),
    };
    this.logger?.info(
      { rpc: redactUrl(opts.rpcUrl), contract: opts.contract, funder: opts.funder, batch: opts.batch },
      `${this.name}: reading CTF balances via Multicall3 aggregate3 (${opts.batch})`,
    );
  }

  /** One consistent snapshot of `tokenIds` at the latest block. */
  async fetchBalances(tokenIds: readonly string[], signal?: AbortSignal): Promise<BalanceReport> {
    const t0 = performance.now();
    const ids = validateTokenIds(this.name, tokenIds);
    const read = await withAbort(this.name, readChainBalances(this.target, ids, signal), signal).catch((err: unknown) => {
      if (err instanceof SourceError) throw err;
      throw new SourceError(this.name, 'CHAIN_INTERNAL', `unexpected failure reading balances: ${errorMessage(err)}`, { cause: err });
    });
    return {
      source: 'chain',
      sourceName: this.name,
      balances: read.balances,
      block: read.block,
      ...(read.collateral !== undefined && { collateral: read.collateral }),
      complete: true,
      degraded: false,
      roundTrips: read.roundTrips,
      latencyMs: elapsedMs(t0),
    };
  }

  async dispose(): Promise<void> {
    await closeChainClient(this.client);
  }
}
