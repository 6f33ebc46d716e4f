/**
 * What the HTTP and websocket handlers share: the engine, sessions, configuration, clock, the
 * fault plan, and the exchange contract addresses orders are signed for.
 */
import type { Micros } from '../../core/amounts.ts';
import type { SimConfig } from '../config.ts';
import type { ExchangeEngine } from '../exchange/engine.ts';
import type { TradeLifecycle } from '../exchange/lifecycle.ts';
import type { FaultPlan } from '../faults.ts';
import type { ApiKeys, Heartbeats, RestartWindow } from './sessions.ts';

export interface ExchangeAddresses {
  readonly exchange: `0x${string}`;
  readonly negRiskExchange: `0x${string}`;
  /** Where /balance-allowance says allowances are granted. */
  readonly spenders: readonly string[];
}

export interface ServerContext {
  readonly config: SimConfig;
  readonly engine: ExchangeEngine;
  readonly lifecycle: TradeLifecycle;
  readonly keys: ApiKeys;
  readonly heartbeats: Heartbeats;
  readonly restart: RestartWindow;
  readonly faults: FaultPlan;
  readonly addresses: ExchangeAddresses;
  readonly now: () => number;
  /** Last trade price per token. */
  readonly lastTrade: Map<string, Micros>;
  /** Funder last seen in an order of each API key (for /balance-allowance with proxy wallets). */
  readonly funderOfKey: Map<string, string>;
  /** Knobs the control endpoint may change at run time. */
  readonly runtime: { positionsLagMs: number };
  /** Side effects the control endpoint triggers in other parts of the simulator. */
  readonly hooks: {
    setChainFaults(f: unknown): void;
    disconnectAll(): number;
    resolveMarket(conditionId: string, winner: 0 | 1): string[];
  };
}
