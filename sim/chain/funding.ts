/**
 * Markets and money on the simulator's chain: binary conditions prepared on the real CTF (ids
 * computed on-chain and cross-checked against positions.ts), the exchanges made able to execute
 * (impersonated, gas, collateral approval to the CTF for splits), and every dev account funded and
 * approved as a real Polymarket wallet is: collateral, both outcomes of every market, and
 * setApprovalForAll / approve to both V2 exchanges.
 */
import { decodeFunctionResult, encodeFunctionData, parseAbi, type Address, type Hex } from 'viem';
import { PolyquoteError } from '../../core/errors.ts';
import type { AnvilRpc, TxRequest } from './anvil-rpc.ts';
import type { SimContracts } from './deploy.ts';
import { binaryPositionIds, conditionIdOf, questionIdOf } from './positions.ts';
import { ctfSettleAbi, erc20SettleAbi } from './settlement.ts';

export interface SimChainMarket {
  readonly question: string;
  readonly conditionId: Hex;
  readonly questionId: Hex;
  /** ERC-1155 position ids as canonical decimal strings: [YES (indexSet 1), NO (indexSet 2)]. */
  readonly tokens: readonly [string, string];
  readonly negRisk: boolean;
}

const ctfSetupAbi = parseAbi([
  'function prepareCondition(address oracle, bytes32 questionId, uint256 outcomeSlotCount)',
  'function getOutcomeSlotCount(bytes32 conditionId) view returns (uint256)',
  'function getCollectionId(bytes32 parentCollectionId, bytes32 conditionId, uint256 indexSet) view returns (bytes32)',
  'function getPositionId(address collateralToken, bytes32 collectionId) view returns (uint256)',
]);
const MAX_UINT256 = 2n ** 256n - 1n;
const ZERO32: Hex = `0x${'00'.repeat(32)}`;
const GAS = 500_000n;

async function call<T>(rpc: AnvilRpc, to: Address, abi: typeof ctfSetupAbi, functionName: 'getOutcomeSlotCount' | 'getCollectionId' | 'getPositionId', args: readonly unknown[]): Promise<T> {
  const data = encodeFunctionData({ abi, functionName, args } as never);
  const raw = await rpc.request<Hex>('eth_call', [{ to, data }, 'latest']);
  return decodeFunctionResult({ abi, functionName, data: raw } as never) as T;
}

/** Prepares one binary condition per market (oracle = operator, questionId = keccak256(question)). */
export async function prepareMarkets(
  rpc: AnvilRpc,
  c: SimContracts,
  markets: readonly { readonly question: string; readonly negRisk: boolean }[],
): Promise<SimChainMarket[]> {
  await rpc.mineAll(markets.map((m, i) => ({
    from: c.operator, to: c.ctf, gas: GAS, label: `prepareCondition for markets[${i}] "${m.question}"`,
    data: encodeFunctionData({ abi: ctfSetupAbi, functionName: 'prepareCondition', args: [c.operator, questionIdOf(m.question), 2n] }),
  })));
  const out: SimChainMarket[] = [];
  for (const [i, m] of markets.entries()) {
    const questionId = questionIdOf(m.question);
    const conditionId = conditionIdOf(c.operator, questionId);
    const slots = await call<bigint>(rpc, c.ctf, ctfSetupAbi, 'getOutcomeSlotCount', [conditionId]);
    if (slots !== 2n) throw new PolyquoteError('SIM_CHAIN_DEPLOY', `sim chain: expected condition ${conditionId} of markets[${i}] to have 2 outcomes on-chain, got ${slots}`);
    const local = binaryPositionIds(c.collateral, conditionId);
    const onChain: string[] = [];
    for (const indexSet of [1n, 2n]) {
      const collectionId = await call<Hex>(rpc, c.ctf, ctfSetupAbi, 'getCollectionId', [ZERO32, conditionId, indexSet]);
      onChain.push((await call<bigint>(rpc, c.ctf, ctfSetupAbi, 'getPositionId', [c.collateral, collectionId])).toString());
    }
    if (onChain[0] !== local[0] || onChain[1] !== local[1]) {
      throw new PolyquoteError('SIM_CHAIN_DEPLOY', `sim chain: position ids of markets[${i}] differ: chain ${onChain.join(', ')}, local ${local.join(', ')}`);
    }
    out.push({ question: m.question, conditionId, questionId, tokens: local, negRisk: m.negRisk });
  }
  return out;
}

type LabelledTx = TxRequest & { readonly label: string; readonly gas: bigint };

/** Lets both exchange addresses send transactions (impersonated, with gas) and split collateral. */
export async function enableExchanges(rpc: AnvilRpc, c: SimContracts): Promise<void> {
  const txs: LabelledTx[] = [];
  for (const x of [c.exchange, c.negRiskExchange]) {
    await rpc.request('anvil_impersonateAccount', [x]);
    await rpc.request('anvil_setBalance', [x, `0x${(10n ** 24n).toString(16)}`]);
    txs.push({
      from: x, to: c.collateral, gas: GAS, label: `exchange ${x} approving the CTF for collateral`,
      data: encodeFunctionData({ abi: erc20SettleAbi, functionName: 'approve', args: [c.ctf, MAX_UINT256] }),
    });
  }
  await rpc.mineAll(txs);
}

/**
 * The transactions funding one account, in order: mint collateral + shares × markets, approve the CTF
 * and both exchanges, then split `shares` of every market, leaving exactly `collateral` of collateral
 * and `shares` of each outcome. Mine them with rpc.mineAll (several accounts in one block is fine).
 */
export function fundingTxs(c: SimContracts, account: Address, markets: readonly SimChainMarket[], collateral: bigint, shares: bigint): LabelledTx[] {
  const txs: LabelledTx[] = [];
  const mintTotal = collateral + shares * BigInt(markets.length);
  const who = `account ${account}`;
  if (mintTotal > 0n) {
    txs.push({
      from: c.operator, to: c.collateral, gas: GAS, label: `minting collateral to ${who}`,
      data: encodeFunctionData({ abi: erc20SettleAbi, functionName: 'mint', args: [account, mintTotal] }),
    });
  }
  for (const spender of [c.ctf, c.exchange, c.negRiskExchange]) {
    txs.push({
      from: account, to: c.collateral, gas: GAS, label: `${who} approving ${spender} for collateral`,
      data: encodeFunctionData({ abi: erc20SettleAbi, functionName: 'approve', args: [spender, MAX_UINT256] }),
    });
  }
  for (const x of [c.exchange, c.negRiskExchange]) {
    txs.push({
      from: account, to: c.ctf, gas: GAS, label: `${who} approving exchange ${x} for outcome tokens`,
      data: encodeFunctionData({ abi: ctfSettleAbi, functionName: 'setApprovalForAll', args: [x, true] }),
    });
  }
  if (shares === 0n) return txs;
  for (const m of markets) {
    txs.push({
      from: account, to: c.ctf, gas: GAS, label: `${who} splitting ${shares} of market "${m.question}"`,
      data: encodeFunctionData({ abi: ctfSettleAbi, functionName: 'splitPosition', args: [c.collateral, ZERO32, m.conditionId, [1n, 2n], shares] }),
    });
  }
  return txs;
}
