/**
 * Reads the simulator makes on its own anvil: outcome-token and collateral balances, approvals and
 * allowances, all pinned to one block so a pre-check sees one consistent state; and the dry run of a
 * settlement's calls in sequence (eth_simulateV1) that names the first call the chain would refuse.
 */
import { decodeErrorResult, decodeFunctionResult, encodeFunctionData, type Abi, type Address, type Hex } from 'viem';
import { PolyquoteError } from '../../core/errors.ts';
import type { AnvilRpc } from './anvil-rpc.ts';
import type { SimContracts } from './deploy.ts';
import { SettlementError, ctfSettleAbi, erc20SettleAbi, type ChainCall, type SettlementState, type StateQueries } from './settlement.ts';

const UINT256_MAX = 2n ** 256n - 1n;
const ctfBatchAbi = [
  ...ctfSettleAbi,
  { type: 'function', name: 'balanceOfBatch', stateMutability: 'view', inputs: [{ name: 'owners', type: 'address[]' }, { name: 'ids', type: 'uint256[]' }], outputs: [{ type: 'uint256[]' }] },
] as const;

/** A token id as bigint, refusing anything but a canonical uint256 decimal string. */
export function tokenIdToBigint(tokenId: string, where: string): bigint {
  if (typeof tokenId !== 'string' || !/^(0|[1-9][0-9]*)$/.test(tokenId) || BigInt(tokenId) > UINT256_MAX) {
    throw new PolyquoteError('SIM_CHAIN_TOKEN_ID_INVALID', `${where}: expected a token id as a canonical uint256 decimal string, got ${String(tokenId)}`);
  }
  return BigInt(tokenId);
}

async function read<T>(rpc: AnvilRpc, to: Address, abi: Abi, functionName: string, args: readonly unknown[], block: Hex | 'latest'): Promise<T> {
  const data = encodeFunctionData({ abi, functionName, args } as never);
  const raw = await rpc.request<Hex>('eth_call', [{ to, data }, block]);
  return decodeFunctionResult({ abi, functionName, data: raw } as never) as T;
}

/** `owner`'s balances of `tokenIds` in one balanceOfBatch call. */
export async function readTokenBalances(rpc: AnvilRpc, ctf: Address, owner: Address, tokenIds: readonly string[], block: Hex | 'latest' = 'latest'): Promise<Map<string, bigint>> {
  const ids = tokenIds.map((t, i) => tokenIdToBigint(t, `sim chain balancesOf tokenIds[${i}]`));
  if (ids.length === 0) return new Map();
  const values = await read<readonly bigint[]>(rpc, ctf, ctfBatchAbi as unknown as Abi, 'balanceOfBatch', [ids.map(() => owner), ids], block);
  return new Map(tokenIds.map((t, i) => [t, values[i]!]));
}

/** `owner`'s collateral balance. */
export function readCollateral(rpc: AnvilRpc, collateral: Address, owner: Address, block: Hex | 'latest' = 'latest'): Promise<bigint> {
  return read<bigint>(rpc, collateral, erc20SettleAbi, 'balanceOf', [owner], block);
}

/** Everything a settlement pre-check needs, at the current block. */
export async function readSettlementState(rpc: AnvilRpc, c: SimContracts, q: StateQueries): Promise<SettlementState> {
  const block = await rpc.request<Hex>('eth_blockNumber');
  const [tokens, collateral, approvedForAll, allowance] = await Promise.all([
    Promise.all(q.tokens.map(async ([o, t]) => [`${o.toLowerCase()}:${t}`, await read<bigint>(rpc, c.ctf, ctfSettleAbi, 'balanceOf', [o, BigInt(t)], block)] as const)),
    Promise.all(q.collateral.map(async (o) => [o.toLowerCase(), await readCollateral(rpc, c.collateral, o, block)] as const)),
    Promise.all(q.approvals.map(async ([o, x]) => [`${o.toLowerCase()}:${x.toLowerCase()}`, await read<boolean>(rpc, c.ctf, ctfSettleAbi, 'isApprovedForAll', [o, x], block)] as const)),
    Promise.all(q.approvals.map(async ([o, x]) => [`${o.toLowerCase()}:${x.toLowerCase()}`, await read<bigint>(rpc, c.collateral, erc20SettleAbi, 'allowance', [o, x], block)] as const)),
  ]);
  return { tokens: new Map(tokens), collateral: new Map(collateral), approvedForAll: new Map(approvedForAll), allowance: new Map(allowance) };
}

/** The revert reason in `data` (Error(string) or Panic(uint256)), or a short hex excerpt. */
export function revertReason(data: Hex | undefined): string {
  if (!data || data === '0x') return 'no reason given';
  try {
    const e = decodeErrorResult({ abi: [], data });
    return e.errorName === 'Error' ? String(e.args?.[0]) : `${e.errorName}(${(e.args ?? []).map(String).join(', ')})`;
  } catch {
    return `revert data ${data.slice(0, 74)}`;
  }
}

interface SimulatedCall { readonly status: Hex; readonly returnData?: Hex; readonly error?: { readonly message?: string; readonly data?: Hex } }

/** Dry-runs `calls` in order in one simulated block on top of the latest; throws naming the first that would revert. */
export async function simulateCalls(rpc: AnvilRpc, calls: readonly ChainCall[]): Promise<void> {
  const blocks = await rpc.request<{ calls: SimulatedCall[] }[]>('eth_simulateV1', [{
    blockStateCalls: [{ calls: calls.map((c) => ({ from: c.from, to: c.to, data: c.data, gas: `0x${c.gas.toString(16)}` })) }],
    validation: false,
  }, 'latest']);
  const results = blocks[0]?.calls ?? [];
  if (results.length !== calls.length) {
    throw new PolyquoteError('SIM_CHAIN_RPC', `sim chain: expected ${calls.length} results from eth_simulateV1, got ${results.length}`);
  }
  const failed = results.findIndex((r) => r.status !== '0x1');
  if (failed < 0) return;
  const r = results[failed]!;
  throw new SettlementError(
    'SIM_CHAIN_SETTLE_REJECTED',
    `settle: ${calls[failed]!.label} would revert on chain (${revertReason(r.error?.data ?? r.returnData)}); nothing was settled`,
    { errorClass: 'non-retryable' },
  );
}
