/**
 * One-round-trip balance reads from the CTF contract.
 *
 * Design: every sync is a single `eth_call` to Multicall3 `aggregate3` carrying
 *   [getBlockNumber(), getChainId(), <balances>]
 * where <balances> is one `balanceOfBatch(funder×N, ids)` call (batch: 'balanceOfBatch') or N
 * `balanceOf(funder, id)` calls (batch: 'multicall'). All of them execute inside one EVM call against
 * one block's state, so the block number returned is exactly the block the balances were read at and
 * the chain id check is free. (A JSON-RPC batch of eth_blockNumber + eth_call at "latest" would also be
 * one HTTP request, but a block can land between the two, so its block stamp could be wrong.)
 *
 * Chunking: lists longer than `maxTokensPerCall` are split; the first chunk runs at "latest" and
 * fixes block B, the other chunks run concurrently pinned to B, so the snapshot stays one block's
 * state. Each chunk is one request and is counted in `roundTrips`.
 */
import { decodeFunctionResult, encodeFunctionData, parseAbi, type Address, type Hex, type PublicClient } from 'viem';
import { SourceError } from '../../../core/errors.ts';
import { withAbort } from '../support.ts';
import { toSourceError } from './rpc-errors.ts';

export type BatchMode = 'balanceOfBatch' | 'multicall';

export const ctfAbi = parseAbi([
  'function balanceOf(address owner, uint256 id) view returns (uint256)',
  'function balanceOfBatch(address[] owners, uint256[] ids) view returns (uint256[])',
  'event TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value)',
  'event TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values)',
]);

export const multicall3Abi = parseAbi([
  'struct Call3 { address target; bool allowFailure; bytes callData; }',
  'struct Result { bool success; bytes returnData; }',
  'function aggregate3(Call3[] calls) payable returns (Result[] returnData)',
  'function getBlockNumber() view returns (uint256 blockNumber)',
  'function getChainId() view returns (uint256 chainid)',
]);

/** Where and how to read. */
export interface ChainReadTarget {
  readonly source: string;
  readonly client: PublicClient;
  /** Only used to scrub error messages. */
  readonly rpcUrl: string;
  readonly contract: Address;
  readonly multicall: Address;
  readonly funder: Address;
  readonly chainId: number;
  readonly batch: BatchMode;
  readonly maxTokensPerCall: number;
  /** ERC-20 collateral (pUSD) read for the funder in the same call, when set. */
  readonly collateral?: Address;
}

const erc20Abi = parseAbi(['function balanceOf(address owner) view returns (uint256)']);

/** One consistent snapshot. */
export interface ChainRead {
  readonly balances: Map<string, bigint>;
  readonly block: bigint;
  readonly roundTrips: number;
  /** The funder's collateral at the same block, when the target names a collateral token. */
  readonly collateral?: bigint;
}

/** Reads the funder's balances of `tokenIds` (validated uint256 decimal strings) in one round trip per chunk. */
export async function readChainBalances(t: ChainReadTarget, tokenIds: readonly string[], signal?: AbortSignal): Promise<ChainRead> {
  const chunks: string[][] = [];
  for (let i = 0; i < tokenIds.length; i += t.maxTokensPerCall) chunks.push(tokenIds.slice(i, i + t.maxTokensPerCall));
  if (chunks.length === 0) chunks.push([]);
  const first = await readChunk(t, chunks[0]!, undefined, signal);
  const rest = await Promise.all(chunks.slice(1).map((c) => readChunk(t, c, first.block, signal)));
  const balances = new Map<string, bigint>();
  for (const part of [first, ...rest]) for (const [id, v] of part.balances) balances.set(id, v);
  return { balances, block: first.block, roundTrips: chunks.length, ...(first.collateral !== undefined && { collateral: first.collateral }) };
}

async function readChunk(
  t: ChainReadTarget,
  ids: readonly string[],
  pinnedBlock: bigint | undefined,
  signal: AbortSignal | undefined,
): Promise<{ balances: Map<string, bigint>; block: bigint; collateral?: bigint }> {
  const withCollateral = t.collateral !== undefined && pinnedBlock === undefined;
  const calls = [
    { target: t.multicall, allowFailure: false, callData: encodeFunctionData({ abi: multicall3Abi, functionName: 'getBlockNumber' }) },
    { target: t.multicall, allowFailure: false, callData: encodeFunctionData({ abi: multicall3Abi, functionName: 'getChainId' }) },
    ...(withCollateral ? [{ target: t.collateral!, allowFailure: true, callData: encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [t.funder] }) }] : []),
    ...balanceCalls(t, ids),
  ];
  const data = encodeFunctionData({ abi: multicall3Abi, functionName: 'aggregate3', args: [calls] });
  const where = `aggregate3 via Multicall3 ${t.multicall}${pinnedBlock === undefined ? '' : ` at block ${pinnedBlock}`}`;
  let raw: Hex | undefined;
  try {
    const res = await withAbort(
      t.source,
      t.client.call({ to: t.multicall, data, ...(pinnedBlock === undefined ? {} : { blockNumber: pinnedBlock }) }),
      signal,
    );
    raw = res.data;
  } catch (err) {
    throw toSourceError(t.source, err, where, t.rpcUrl);
  }
  const results = decodeAggregate(t, raw, calls.length, where);
  const block = decodeUint(t, results[0]!, `getBlockNumber() in ${where}`);
  const chainId = decodeUint(t, results[1]!, `getChainId() in ${where}`);
  if (chainId !== BigInt(t.chainId)) {
    throw new SourceError(t.source, 'CHAIN_ID_MISMATCH', `expected chain id ${t.chainId}, got ${chainId} from the RPC (config chainId)`, {
      errorClass: 'non-retryable',
    });
  }
  if (pinnedBlock !== undefined && block !== pinnedBlock) {
    throw malformed(t, `expected the pinned call to run at block ${pinnedBlock}, got block ${block} in ${where}`);
  }
  if (!withCollateral) return { balances: decodeBalances(t, ids, results.slice(2)), block };
  const c = results[2]!;
  if (!c.success) throw new SourceError(t.source, 'CHAIN_REVERT', `collateral balanceOf at ${t.collateral} reverted (is collateral the pUSD address?)`, { errorClass: 'non-retryable' });
  return { balances: decodeBalances(t, ids, results.slice(3)), block, collateral: decodeUint(t, c, `collateral balanceOf at ${t.collateral}`) };
}

function balanceCalls(t: ChainReadTarget, ids: readonly string[]) {
  if (ids.length === 0) return [];
  if (t.batch === 'balanceOfBatch') {
    const callData = encodeFunctionData({
      abi: ctfAbi,
      functionName: 'balanceOfBatch',
      args: [ids.map(() => t.funder), ids.map((id) => BigInt(id))],
    });
    return [{ target: t.contract, allowFailure: true, callData }];
  }
  return ids.map((id) => ({
    target: t.contract,
    allowFailure: true,
    callData: encodeFunctionData({ abi: ctfAbi, functionName: 'balanceOf', args: [t.funder, BigInt(id)] }),
  }));
}

function decodeAggregate(t: ChainReadTarget, raw: Hex | undefined, expected: number, where: string) {
  if (raw !== undefined && (typeof raw !== 'string' || !/^0x(?:[0-9a-fA-F]{2})*$/.test(raw))) {
    throw malformed(t, `expected hex call data from ${where}, got ${JSON.stringify(raw)?.slice(0, 80)}`);
  }
  if (!raw || raw === '0x') throw malformed(t, `expected aggregate3 results, got an empty answer from ${where} (is multicallAddress right?)`);
  let results: readonly { success: boolean; returnData: Hex }[];
  try {
    results = decodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', data: raw });
  } catch (err) {
    throw malformed(t, `expected ABI-encoded aggregate3 results, got ${raw.length / 2 - 1} undecodable bytes from ${where}`, err);
  }
  if (results.length !== expected) throw malformed(t, `expected ${expected} aggregate3 results, got ${results.length} from ${where}`);
  return results;
}

function decodeBalances(t: ChainReadTarget, ids: readonly string[], results: readonly { success: boolean; returnData: Hex }[]) {
  const balances = new Map<string, bigint>();
  if (ids.length === 0) return balances;
  const fn = t.batch === 'balanceOfBatch' ? 'balanceOfBatch' : 'balanceOf';
  const values: bigint[] = [];
  for (const [i, r] of results.entries()) {
    const where = `${fn}${t.batch === 'multicall' ? ` of token ${ids[i]}` : ` of ${ids.length} tokens`} at contract ${t.contract}`;
    if (!r.success) {
      throw new SourceError(t.source, 'CHAIN_REVERT', `${where} reverted (is contract the CTF address?)`, { errorClass: 'non-retryable' });
    }
    if (r.returnData === '0x') throw malformed(t, `expected uint256 data from ${where}, got 0 bytes (no contract code at that address?)`);
    try {
      const decoded = decodeFunctionResult({ abi: ctfAbi, functionName: fn, data: r.returnData }) as bigint | readonly bigint[];
      if (typeof decoded === 'bigint') values.push(decoded);
      else values.push(...decoded);
    } catch (err) {
      throw malformed(t, `expected ABI-encoded uint256 from ${where}, got ${r.returnData.length / 2 - 1} undecodable bytes`, err);
    }
  }
  if (values.length !== ids.length) throw malformed(t, `expected ${ids.length} balances, got ${values.length} from ${fn} at contract ${t.contract}`);
  ids.forEach((id, i) => balances.set(id, values[i]!));
  return balances;
}

function decodeUint(t: ChainReadTarget, r: { success: boolean; returnData: Hex }, where: string): bigint {
  if (!r.success || r.returnData.length !== 66) throw malformed(t, `expected a 32-byte uint256 from ${where}, got ${r.returnData.length / 2 - 1} bytes`);
  return BigInt(r.returnData);
}

function malformed(t: ChainReadTarget, message: string, cause?: unknown): SourceError {
  return new SourceError(t.source, 'CHAIN_MALFORMED', message, { cause, errorClass: 'non-retryable' });
}
