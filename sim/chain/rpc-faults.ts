/**
 * Pure fault planning for the simulator's JSON-RPC proxy: a seeded PRNG (mulberry32) and the rule
 * that turns three draws per request into a decision, so a seed and a request order always give the
 * same faults. Every request consumes exactly three draws whatever the rates, so changing one rate
 * does not shift the decisions of the others.
 */
import { PolyquoteError } from '../../core/errors.ts';
import { seededRandom } from '../../core/random.ts';

export { seededRandom };

export interface RpcFaults {
  /** 0..1: share of requests answered with a JSON-RPC error -32603 or an HTTP 503 (half each). */
  readonly errorRate?: number;
  /** 0..1: share of requests held for `stallMs` before being answered. */
  readonly stallRate?: number;
  /** How long a stalled request is held, ms (default 500, at most 60 000): a stall always ends. */
  readonly stallMs?: number;
}

export type FaultError = 'none' | 'rpc-error' | 'http-503';

export interface FaultDecision {
  /** 0 = answered at once. */
  readonly stallMs: number;
  readonly error: FaultError;
}

export const DEFAULT_STALL_MS = 500;
export const MAX_STALL_MS = 60_000;


/** Checks a fault setting; throws a PolyquoteError naming the field and the bad value. */
export function validateFaults(f: RpcFaults, where = 'faults'): Required<RpcFaults> {
  const rate = (name: 'errorRate' | 'stallRate'): number => {
    const v = f[name] ?? 0;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new PolyquoteError('SIM_CHAIN_FAULTS_INVALID', `expected a number in 0..1 at ${where}.${name}, got ${String(v)}`);
    }
    return v;
  };
  const stallMs = f.stallMs ?? DEFAULT_STALL_MS;
  if (typeof stallMs !== 'number' || !Number.isInteger(stallMs) || stallMs < 0 || stallMs > MAX_STALL_MS) {
    throw new PolyquoteError('SIM_CHAIN_FAULTS_INVALID', `expected an integer number of ms in 0..${MAX_STALL_MS} at ${where}.stallMs, got ${String(stallMs)}`);
  }
  return { errorRate: rate('errorRate'), stallRate: rate('stallRate'), stallMs };
}

/** The decision for one request, from three draws of `next`. */
export function decideFault(next: () => number, faults: Required<RpcFaults>): FaultDecision {
  const errorDraw = next();
  const kindDraw = next();
  const stallDraw = next();
  const error: FaultError = errorDraw < faults.errorRate ? (kindDraw < 0.5 ? 'rpc-error' : 'http-503') : 'none';
  return { stallMs: stallDraw < faults.stallRate ? faults.stallMs : 0, error };
}

/** The decisions for the first `n` requests of a proxy seeded with `seed` under constant `faults`. */
export function planFaults(seed: number, faults: RpcFaults, n: number): FaultDecision[] {
  const next = seededRandom(seed);
  const f = validateFaults(faults);
  return Array.from({ length: n }, () => decideFault(next, f));
}
