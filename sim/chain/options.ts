/**
 * SimChain's options, their validation (every problem named by field), and the ids a market gets,
 * computable without a chain.
 */
import type { Address, Hex } from 'viem';
import { PolyquoteError } from '../../core/errors.ts';
import { POLYGON_PUSD } from './deploy.ts';
import { binaryPositionIds, conditionIdOf, questionIdOf } from './positions.ts';
import { validateFaults, type RpcFaults } from './rpc-faults.ts';

export interface SimChainOptions {
  readonly seed?: number;
  /** How many of anvil's well-known dev accounts to fund (1..9, default 4); index 9 is the operator. */
  readonly accounts?: number;
  readonly markets: readonly { readonly question: string; readonly negRisk: boolean }[];
  /** Collateral micro-units each account keeps after its splits (default 100 000 pUSD). */
  readonly collateralPerAccount?: bigint;
  /** Micro-shares of EACH outcome per account per market, split from extra collateral (default 1 000). */
  readonly sharesPerAccount?: bigint;
  readonly faults?: RpcFaults;
  readonly anvilPort?: number;
}

export const OPERATOR_INDEX = 9;
export const MAX_ACCOUNTS = 9;
/** anvil's block gas limit here: room for a trade against ~200 makers in one block. */
export const BLOCK_GAS_LIMIT = 300_000_000n;

function bad(msg: string): PolyquoteError {
  return new PolyquoteError('SIM_CHAIN_OPTIONS_INVALID', `sim chain options: ${msg}`, { errorClass: 'fatal' });
}

export function validateOptions(o: SimChainOptions): void {
  if (o.seed !== undefined && !Number.isSafeInteger(o.seed)) throw bad(`expected an integer at seed, got ${String(o.seed)}`);
  const n = o.accounts ?? 4;
  if (!Number.isInteger(n) || n < 1 || n > MAX_ACCOUNTS) throw bad(`expected an integer in 1..${MAX_ACCOUNTS} at accounts, got ${String(n)}`);
  if (!Array.isArray(o.markets)) throw bad(`expected an array at markets, got ${typeof o.markets}`);
  const seen = new Set<string>();
  o.markets.forEach((m, i) => {
    if (typeof m?.question !== 'string' || m.question.length === 0) throw bad(`expected a non-empty string at markets[${i}].question, got ${String(m?.question)}`);
    if (seen.has(m.question)) throw bad(`expected unique questions, got "${m.question}" twice (markets[${i}])`);
    seen.add(m.question);
    if (typeof m.negRisk !== 'boolean') throw bad(`expected a boolean at markets[${i}].negRisk, got ${String(m.negRisk)}`);
  });
  for (const k of ['collateralPerAccount', 'sharesPerAccount'] as const) {
    const v = o[k];
    if (v !== undefined && (typeof v !== 'bigint' || v < 0n)) throw bad(`expected a non-negative bigint of micro-units at ${k}, got ${String(v)}`);
  }
  if (o.anvilPort !== undefined && (!Number.isInteger(o.anvilPort) || o.anvilPort < 0 || o.anvilPort > 65535)) {
    throw bad(`expected a port in 0..65535 at anvilPort, got ${String(o.anvilPort)}`);
  }
  validateFaults(o.faults ?? {}, 'sim chain options: faults');
}

/** The operator: deploys, mints, and is the oracle of every condition (dev account 9). */
export const SIM_OPERATOR: Address = '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720';

/**
 * The ids SimChain gives the market asking `question`, computed without a chain (same oracle, same
 * collateral): a memory-only simulator that uses them agrees with the real chain.
 */
export function marketIdsFor(question: string): { questionId: Hex; conditionId: Hex; tokens: readonly [string, string] } {
  const questionId = questionIdOf(question);
  const conditionId = conditionIdOf(SIM_OPERATOR, questionId);
  return { questionId, conditionId, tokens: binaryPositionIds(POLYGON_PUSD, conditionId) };
}

