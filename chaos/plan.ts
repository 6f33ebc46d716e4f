/**
 * A chaos run's plan, drawn from its seed alone: the simulator's fault rates, the RPC faults, and
 * when the bot is killed with SIGKILL and how long it stays down. Pure and deterministic.
 */
import { Prng } from '../sim/prng.ts';

export interface ChaosPlanOptions {
  /** How many times the bot is killed with SIGKILL and restarted. */
  readonly kills: number;
  /** Seconds the bot runs before each kill: drawn in [min, max]. */
  readonly runSeconds: readonly [number, number];
  /** Seconds of trading after the last restart, faults still on. */
  readonly finalSeconds: number;
}

export interface ChaosPlan {
  readonly seed: number;
  /** The `faults` / `lifecycle` / `positions` blocks of the simulator's config. */
  readonly sim: Record<string, unknown>;
  /** POST /_control/faults body applied once the simulator is up (RPC faults, slow settlement). */
  readonly controlFaults: Record<string, unknown>;
  /** Per kill: seconds alive before SIGKILL, then seconds down before the restart. */
  readonly kills: readonly { aliveSeconds: number; downSeconds: number }[];
  readonly finalSeconds: number;
  /** Halt reasons this plan may cause (anything else is a finding). */
  readonly allowedHaltReasons: readonly string[];
}

/** The body that turns every fault off (and settlement back to its normal pace). */
export const FAULTS_OFF = {
  ws: { dropRate: 0, duplicateRate: 0, reorderRate: 0, disconnectRate: 0 },
  rest: { error5xxRate: 0, rate425: 0, rate429: 0, slowRate: 0, lostResponseRate: 0 },
  rpc: { errorRate: 0, stallRate: 0 },
  settlementDelayMs: 0,
  failRate: 0,
  positionsLagMs: 500,
} as const;

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

export function chaosPlan(seed: number, o: ChaosPlanOptions): ChaosPlan {
  const r = Prng.for(seed, 'chaos-plan');
  const between = (lo: number, hi: number) => lo + (hi - lo) * r.next();
  const sim = {
    seed,
    lifecycle: { minedDelayMs: Math.round(between(800, 2000)), confirmedDelayMs: Math.round(between(1500, 4000)), retryDelayMs: 1000, failRate: 0.1, retryRate: round(between(0.05, 0.15)) },
    positions: { lagMs: Math.round(between(1000, 5000)) },
    flow: { takerRatePerSecond: round(between(0.5, 1.0)), takerSizeMean: 12 },
    heartbeat: { timeoutMs: 10_000 },
    faults: {
      ws: { dropRate: round(between(0.01, 0.05)), duplicateRate: round(between(0.02, 0.08)), reorderRate: round(between(0.02, 0.08)), disconnectRate: round(between(0.001, 0.004), 4) },
      rest: {
        error5xxRate: round(between(0.02, 0.06)), rate425: round(between(0.01, 0.03)), rate429: round(between(0.01, 0.03)), retryAfterSeconds: 1,
        slowRate: round(between(0.02, 0.06)), slowMs: Math.round(between(500, 2500)), lostResponseRate: round(between(0.03, 0.08)),
      },
    },
  };
  const controlFaults = {
    rpc: { errorRate: round(between(0.05, 0.15)), stallRate: round(between(0.02, 0.06)), stallMs: Math.round(between(500, 3000)) },
    settlementDelayMs: Math.round(between(0, 3000)),
  };
  const kills = Array.from({ length: o.kills }, () => ({
    aliveSeconds: round(between(o.runSeconds[0], o.runSeconds[1]), 1),
    downSeconds: round(between(0.2, 4), 1),
  }));
  return { seed, sim, controlFaults, kills, finalSeconds: o.finalSeconds, allowedHaltReasons: ['AWAITING_SNAPSHOT'] };
}
