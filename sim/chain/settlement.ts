/**
 * Pure settlement logic: validating SettlementOps against the chain's markets, checking them against
 * a snapshot of balances and approvals in order (so a trade that would fail is refused before any
 * transaction is sent), and turning them into the CTF / ERC-20 calls the exchange address executes.
 *
 * Invariants: ops are applied in order, each debit checked against what earlier ops left; a mint's
 * collateral in covers the split (yes + no ≥ shares) and a merge's collateral out is covered by it
 * (yes + no ≤ shares); any difference stays with the exchange (a fee or price improvement).
 */
import { encodeFunctionData, getAddress, isAddress, parseAbi, type Address, type Hex } from 'viem';
import { formatMicros } from '../../core/amounts.ts';
import { PolyquoteError } from '../../core/errors.ts';

export type SettlementOp =
  | { kind: 'transfer'; seller: Address; buyer: Address; tokenId: string; shares: bigint; collateral: bigint }
  | { kind: 'mint'; conditionId: Hex; yesBuyer: Address; noBuyer: Address; shares: bigint; yesCollateral: bigint; noCollateral: bigint }
  | { kind: 'merge'; conditionId: Hex; yesSeller: Address; noSeller: Address; shares: bigint; yesCollateral: bigint; noCollateral: bigint };

export interface SettlementMarket {
  readonly conditionId: Hex;
  readonly tokens: readonly [string, string];
  readonly negRisk: boolean;
}

export interface SettlementContracts {
  readonly ctf: Address;
  readonly collateral: Address;
  readonly exchange: Address;
  readonly negRiskExchange: Address;
}

/** An op with its market resolved and its addresses checksummed; `operator` is the exchange executing it. */
export type ResolvedOp = SettlementOp & { readonly index: number; readonly operator: Address; readonly market: SettlementMarket };

/** One transaction the operator sends. */
export interface ChainCall {
  readonly from: Address;
  readonly to: Address;
  readonly data: Hex;
  readonly gas: bigint;
  /** e.g. "op 0 transfer: tokens seller → buyer", for error messages. */
  readonly label: string;
}

export class SettlementError extends PolyquoteError {
  override name = 'SettlementError';
}

export const ctfSettleAbi = parseAbi([
  'function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes data)',
  'function splitPosition(address collateralToken, bytes32 parentCollectionId, bytes32 conditionId, uint256[] partition, uint256 amount)',
  'function mergePositions(address collateralToken, bytes32 parentCollectionId, bytes32 conditionId, uint256[] partition, uint256 amount)',
  'function balanceOf(address owner, uint256 id) view returns (uint256)',
  'function isApprovedForAll(address owner, address operator) view returns (bool)',
  'function setApprovalForAll(address operator, bool approved)',
]);
export const erc20SettleAbi = parseAbi([
  'function transfer(address to, uint256 amount) returns (bool)',
  'function transferFrom(address from, address to, uint256 amount) returns (bool)',
  'function balanceOf(address owner) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function mint(address to, uint256 amount)',
]);

const ZERO32: Hex = `0x${'00'.repeat(32)}`;
const MAX_UINT256 = 2n ** 256n - 1n;
const GAS_TRANSFER = 200_000n;
const GAS_SPLIT_MERGE = 400_000n;

const short = (a: string) => `${a.slice(0, 8)}…${a.slice(-4)}`;
const amount = (v: bigint) => `${v} (${formatMicros(v)})`;

/** Validates ops and resolves each one's market and executing exchange; throws naming the op and field. */
export function resolveOps(ops: readonly SettlementOp[], markets: readonly SettlementMarket[], c: SettlementContracts): ResolvedOp[] {
  if (!Array.isArray(ops) || ops.length === 0) throw new SettlementError('SIM_CHAIN_OP_INVALID', 'settle: expected at least one op, got none');
  const byCondition = new Map(markets.map((m) => [m.conditionId.toLowerCase(), m]));
  const byToken = new Map(markets.flatMap((m) => m.tokens.map((t) => [t, m] as const)));
  return ops.map((op, index) => {
    const where = `settle op ${index} (${String((op as { kind?: unknown }).kind)})`;
    const bad = (msg: string) => new SettlementError('SIM_CHAIN_OP_INVALID', `${where}: ${msg}`);
    const addr = (field: string, v: unknown): Address => {
      if (typeof v !== 'string' || !isAddress(v, { strict: false })) throw bad(`expected an address at ${field}, got ${String(v)}`);
      if (BigInt(v) === 0n) throw bad(`expected a non-zero address at ${field}, got the zero address`);
      return getAddress(v);
    };
    const positive = (field: string, v: unknown) => {
      if (typeof v !== 'bigint' || v <= 0n) throw bad(`expected a positive bigint of micro-units at ${field}, got ${String(v)}`);
    };
    const nonNegative = (field: string, v: unknown) => {
      if (typeof v !== 'bigint' || v < 0n) throw bad(`expected a non-negative bigint of micro-units at ${field}, got ${String(v)}`);
    };
    const operatorOf = (m: SettlementMarket) => (m.negRisk ? c.negRiskExchange : c.exchange);
    switch (op.kind) {
      case 'transfer': {
        const market = typeof op.tokenId === 'string' ? byToken.get(op.tokenId) : undefined;
        if (!market) throw bad(`expected tokenId to be a token of one of the chain's markets (canonical decimal string), got ${String(op.tokenId)}`);
        positive('shares', op.shares);
        nonNegative('collateral', op.collateral);
        return { ...op, index, seller: addr('seller', op.seller), buyer: addr('buyer', op.buyer), market, operator: operatorOf(market) };
      }
      case 'mint':
      case 'merge': {
        const market = typeof op.conditionId === 'string' ? byCondition.get(op.conditionId.toLowerCase()) : undefined;
        if (!market) throw bad(`expected conditionId to be one of the chain's markets, got ${String(op.conditionId)}`);
        positive('shares', op.shares);
        nonNegative('yesCollateral', op.yesCollateral);
        nonNegative('noCollateral', op.noCollateral);
        const total = op.yesCollateral + op.noCollateral;
        if (op.kind === 'mint' && total < op.shares) {
          throw bad(`expected yesCollateral + noCollateral to cover the ${amount(op.shares)} shares minted, got ${amount(total)}`);
        }
        if (op.kind === 'merge' && total > op.shares) {
          throw bad(`expected yesCollateral + noCollateral to be at most the ${amount(op.shares)} collateral a merge releases, got ${amount(total)}`);
        }
        const base = { index, conditionId: market.conditionId, market, operator: operatorOf(market) };
        return op.kind === 'mint'
          ? { ...op, ...base, yesBuyer: addr('yesBuyer', op.yesBuyer), noBuyer: addr('noBuyer', op.noBuyer) }
          : { ...op, ...base, yesSeller: addr('yesSeller', op.yesSeller), noSeller: addr('noSeller', op.noSeller) };
      }
      default:
        throw bad(`expected kind transfer, mint or merge, got ${String((op as { kind?: unknown }).kind)}`);
    }
  });
}

/** What the pre-check needs to know: balances and approvals as of one block. Keys are lower-case. */
export interface SettlementState {
  /** `${owner}:${tokenId}` → balance. */
  readonly tokens: Map<string, bigint>;
  /** owner → collateral balance. */
  readonly collateral: Map<string, bigint>;
  /** `${owner}:${operator}` → CTF isApprovedForAll. */
  readonly approvedForAll: Map<string, boolean>;
  /** `${owner}:${spender}` → collateral allowance. */
  readonly allowance: Map<string, bigint>;
}

export interface StateQueries {
  readonly tokens: readonly (readonly [Address, string])[];
  readonly collateral: readonly Address[];
  readonly approvals: readonly (readonly [Address, Address])[];
}

/** The reads a pre-check of `ops` needs (deduplicated). */
export function stateQueries(ops: readonly ResolvedOp[]): StateQueries {
  const tokens = new Map<string, readonly [Address, string]>();
  const collateral = new Map<string, Address>();
  const approvals = new Map<string, readonly [Address, Address]>();
  const tok = (o: Address, t: string) => tokens.set(`${o.toLowerCase()}:${t}`, [o, t]);
  const col = (o: Address) => collateral.set(o.toLowerCase(), o);
  const appr = (o: Address, x: Address) => approvals.set(`${o.toLowerCase()}:${x.toLowerCase()}`, [o, x]);
  for (const op of ops) {
    const [yes, no] = op.market.tokens;
    col(op.operator);
    tok(op.operator, yes);
    tok(op.operator, no);
    if (op.kind === 'transfer') {
      tok(op.seller, op.tokenId); tok(op.buyer, op.tokenId); col(op.seller); col(op.buyer);
      appr(op.seller, op.operator); appr(op.buyer, op.operator);
    } else if (op.kind === 'mint') {
      for (const b of [op.yesBuyer, op.noBuyer]) { col(b); tok(b, yes); tok(b, no); appr(b, op.operator); }
    } else {
      for (const s of [op.yesSeller, op.noSeller]) { col(s); tok(s, yes); tok(s, no); appr(s, op.operator); }
    }
  }
  return { tokens: [...tokens.values()], collateral: [...collateral.values()], approvals: [...approvals.values()] };
}

/**
 * Applies `ops` in order to a copy of `state`; throws a SettlementError naming the op, the account and
 * the shortfall at the first debit that the chain would refuse. Returns the state after the ops.
 */
export function checkSettlement(ops: readonly ResolvedOp[], state: SettlementState): SettlementState {
  const s: SettlementState = {
    tokens: new Map(state.tokens), collateral: new Map(state.collateral),
    approvedForAll: new Map(state.approvedForAll), allowance: new Map(state.allowance),
  };
  for (const op of ops) {
    const where = `settle op ${op.index} (${op.kind})`;
    const refuse = (msg: string) => new SettlementError('SIM_CHAIN_SETTLE_REJECTED', `${where}: ${msg}; nothing was settled`, { errorClass: 'non-retryable' });
    const moveTokens = (role: string, from: Address, to: Address, id: string, v: bigint) => {
      const f = from.toLowerCase();
      if (f !== op.operator.toLowerCase() && !s.approvedForAll.get(`${f}:${op.operator.toLowerCase()}`)) {
        throw refuse(`expected ${role} ${from} to have approved exchange ${op.operator} for its outcome tokens (setApprovalForAll), got no approval`);
      }
      const have = s.tokens.get(`${f}:${id}`) ?? 0n;
      if (have < v) throw refuse(`expected ${role} ${from} to hold at least ${amount(v)} of token ${short(id)}, got ${amount(have)}`);
      s.tokens.set(`${f}:${id}`, have - v);
      const t = `${to.toLowerCase()}:${id}`;
      s.tokens.set(t, (s.tokens.get(t) ?? 0n) + v);
    };
    const moveCollateral = (role: string, from: Address, to: Address, v: bigint) => {
      if (v === 0n) return;
      const f = from.toLowerCase();
      if (f !== op.operator.toLowerCase()) {
        const key = `${f}:${op.operator.toLowerCase()}`;
        const allowed = s.allowance.get(key) ?? 0n;
        if (allowed < v) throw refuse(`expected ${role} ${from} to allow exchange ${op.operator} at least ${amount(v)} of collateral, got ${amount(allowed)}`);
        if (allowed !== MAX_UINT256) s.allowance.set(key, allowed - v);
      }
      const have = s.collateral.get(f) ?? 0n;
      if (have < v) throw refuse(`expected ${role} ${from} to hold at least ${amount(v)} of collateral, got ${amount(have)}`);
      s.collateral.set(f, have - v);
      s.collateral.set(to.toLowerCase(), (s.collateral.get(to.toLowerCase()) ?? 0n) + v);
    };
    const [yes, no] = op.market.tokens;
    const x = op.operator;
    const xl = x.toLowerCase();
    const add = (m: Map<string, bigint>, k: string, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);
    if (op.kind === 'transfer') {
      moveTokens('seller', op.seller, op.buyer, op.tokenId, op.shares);
      moveCollateral('buyer', op.buyer, op.seller, op.collateral);
    } else if (op.kind === 'mint') {
      moveCollateral('yesBuyer', op.yesBuyer, x, op.yesCollateral);
      moveCollateral('noBuyer', op.noBuyer, x, op.noCollateral);
      add(s.collateral, xl, -op.shares); // covered: yes + no ≥ shares was validated
      add(s.tokens, `${xl}:${yes}`, op.shares);
      add(s.tokens, `${xl}:${no}`, op.shares);
      moveTokens('exchange', x, op.yesBuyer, yes, op.shares);
      moveTokens('exchange', x, op.noBuyer, no, op.shares);
    } else {
      moveTokens('yesSeller', op.yesSeller, x, yes, op.shares);
      moveTokens('noSeller', op.noSeller, x, no, op.shares);
      add(s.tokens, `${xl}:${yes}`, -op.shares);
      add(s.tokens, `${xl}:${no}`, -op.shares);
      add(s.collateral, xl, op.shares);
      moveCollateral('exchange', x, op.yesSeller, op.yesCollateral);
      moveCollateral('exchange', x, op.noSeller, op.noCollateral);
    }
  }
  return s;
}

/** The transactions that execute `ops`, in order, each sent by the op's exchange address. */
export function settlementCalls(ops: readonly ResolvedOp[], c: SettlementContracts): ChainCall[] {
  const calls: ChainCall[] = [];
  for (const op of ops) {
    const x = op.operator;
    const label = (what: string) => `op ${op.index} ${op.kind}: ${what}`;
    const ctf = (what: string, data: Hex, gas = GAS_TRANSFER) => calls.push({ from: x, to: c.ctf, data, gas, label: label(what) });
    const erc20 = (what: string, data: Hex) => calls.push({ from: x, to: c.collateral, data, gas: GAS_TRANSFER, label: label(what) });
    const move = (from: Address, to: Address, id: string, v: bigint) =>
      encodeFunctionData({ abi: ctfSettleAbi, functionName: 'safeTransferFrom', args: [from, to, BigInt(id), v, '0x'] });
    const pull = (from: Address, v: bigint) => encodeFunctionData({ abi: erc20SettleAbi, functionName: 'transferFrom', args: [from, x, v] });
    const pay = (to: Address, v: bigint) => encodeFunctionData({ abi: erc20SettleAbi, functionName: 'transfer', args: [to, v] });
    const [yes, no] = op.market.tokens;
    if (op.kind === 'transfer') {
      ctf('tokens seller → buyer', move(op.seller, op.buyer, op.tokenId, op.shares));
      if (op.collateral > 0n) {
        erc20('collateral buyer → seller', encodeFunctionData({ abi: erc20SettleAbi, functionName: 'transferFrom', args: [op.buyer, op.seller, op.collateral] }));
      }
    } else if (op.kind === 'mint') {
      if (op.yesCollateral > 0n) erc20('collateral yesBuyer → exchange', pull(op.yesBuyer, op.yesCollateral));
      if (op.noCollateral > 0n) erc20('collateral noBuyer → exchange', pull(op.noBuyer, op.noCollateral));
      ctf('splitPosition', encodeFunctionData({ abi: ctfSettleAbi, functionName: 'splitPosition', args: [c.collateral, ZERO32, op.conditionId, [1n, 2n], op.shares] }), GAS_SPLIT_MERGE);
      ctf('YES exchange → yesBuyer', move(x, op.yesBuyer, yes, op.shares));
      ctf('NO exchange → noBuyer', move(x, op.noBuyer, no, op.shares));
    } else {
      ctf('YES yesSeller → exchange', move(op.yesSeller, x, yes, op.shares));
      ctf('NO noSeller → exchange', move(op.noSeller, x, no, op.shares));
      ctf('mergePositions', encodeFunctionData({ abi: ctfSettleAbi, functionName: 'mergePositions', args: [c.collateral, ZERO32, op.conditionId, [1n, 2n], op.shares] }), GAS_SPLIT_MERGE);
      if (op.yesCollateral > 0n) erc20('collateral exchange → yesSeller', pay(op.yesSeller, op.yesCollateral));
      if (op.noCollateral > 0n) erc20('collateral exchange → noSeller', pay(op.noSeller, op.noCollateral));
    }
  }
  return calls;
}
