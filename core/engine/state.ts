/** The checkpoint form of engine state, versioned so a newer checkpoint is refused, not misread. */
import type { InventoryState } from '../inventory/inventory-manager.ts';
import type { OrderState } from '../orders/order-tracker.ts';
import type { RiskEngine } from '../risk/risk-engine.ts';
import type { SourceHealth } from '../sources/position-source.ts';
import { PolyquoteError } from '../errors.ts';
import type { FeedStateData } from './feed-state.ts';

export const ENGINE_STATE_VERSION = 1;

export interface EngineStateParts {
  inventory: InventoryState;
  orders: OrderState;
  pnl: Record<string, [string, string, string, string | null]>;
  risk: ReturnType<RiskEngine['exportState']>;
  health: SourceHealth;
  lastAuthoritativeAt: number | null;
  feed: FeedStateData;
  /** The funder's confirmed collateral (micro-units), null when no source read it. */
  collateral?: string | null;
  /** Merges sent and not yet seen on chain: [tokenId, amount]. */
  merges?: [string, string][];
}

export interface EngineState {
  version: number;
  seq: number;
  at: number;
  parts: EngineStateParts;
}

export const EngineStateCodec = {
  export(seq: number, at: number, parts: EngineStateParts): EngineState {
    return { version: ENGINE_STATE_VERSION, seq, at, parts };
  },
  import(raw: unknown): EngineState {
    const s = raw as Partial<EngineState> | null;
    if (!s || typeof s !== 'object' || typeof s.seq !== 'number' || !s.parts) {
      throw new PolyquoteError('CHECKPOINT_INVALID', 'expected an engine checkpoint object with seq and parts, got something else');
    }
    if (s.version !== ENGINE_STATE_VERSION) {
      throw new PolyquoteError('CHECKPOINT_VERSION', `expected checkpoint version ${ENGINE_STATE_VERSION}, got ${String(s.version)}: written by another polyquote version`);
    }
    return s as EngineState;
  },
};
