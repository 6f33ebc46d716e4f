/**
 * The checkpoint form of engine state, versioned so a newer checkpoint is refused, not misread, and
 * validated field by field before anything is restored: a checkpoint that does not decode is refused
 * whole (CHECKPOINT_INVALID naming the field), so recovery can fall back on an older one.
 */
import { z } from 'zod';
import type { Micros } from '../amounts.ts';
import type { InventoryManager, InventoryState } from '../inventory/inventory-manager.ts';
import type { OrderState, OrderTracker } from '../orders/order-tracker.ts';
import type { PnlTracker } from '../pnl/pnl-tracker.ts';
import type { RiskEngine } from '../risk/risk-engine.ts';
import type { SourceHealth } from '../sources/position-source.ts';
import { PolyquoteError } from '../errors.ts';
import type { ExpectedMerges } from './expected-merges.ts';
import type { FeedState, FeedStateData } from './feed-state.ts';
import type { SourceTracker } from './source-tracker.ts';

export const ENGINE_STATE_VERSION = 1;

export interface EngineStateParts {
  inventory: InventoryState;
  orders: OrderState;
  pnl: Record<string, [string, string, string, string | null]>;
  /** Bookings that undo a FAILED SELL exactly: [fill key, realized, cost]. */
  pnlBookings?: [string, string, string][];
  risk: ReturnType<RiskEngine['exportState']>;
  health: SourceHealth;
  lastAuthoritativeAt: number | null;
  feed: FeedStateData;
  /** The funder's confirmed collateral (micro-units), null when no source read it. */
  collateral?: string | null;
  /** Merges sent and not yet seen on chain: [tokenId, amount, sent at] (older checkpoints: no time). */
  merges?: [string, string, number?][];
}

export interface EngineState {
  version: number;
  seq: number;
  at: number;
  parts: EngineStateParts;
}

const int = z.number().int().min(-8.64e15).max(8.64e15);
const time = int;
const nat = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const big = z.string().regex(/^-?\d{1,100}$/, 'an integer string');
const nullableTime = time.nullable();
const side = z.enum(['BUY', 'SELL']);
const fillStatus = z.enum(['MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED']);

const pendingSchema = z.object({
  key: z.string(), tradeId: z.string().nullish(), orderId: z.string().nullish(), side, size: big, originalSize: big, price: big,
  firstSeenAt: time, status: fillStatus,
});

const inventorySchema = z.object({
  positions: z.array(z.object({
    tokenId: z.string(), confirmed: big, confirmedAt: nullableTime, confirmedBlock: z.string().regex(/^\d{1,100}$/).nullable(),
    discrepancies: nat, pending: z.array(pendingSchema),
  })),
  seen: z.array(z.tuple([z.string(), time, fillStatus]).rest(z.union([z.string(), z.null()]))),
  counters: z.record(z.string(), nat),
});

const ordersSchema = z.object({
  open: z.array(z.object({
    orderId: z.string(), tokenId: z.string(), side, price: big.nullable(), originalSize: big, matched: big, venueMatched: big,
    status: z.string(), submittedAt: time, cancelRequestedAt: nullableTime,
  })),
  closed: z.array(z.tuple([z.string(), time])),
  fillMatched: z.array(z.tuple([z.string(), big])),
});

const partsSchema = z.object({
  inventory: inventorySchema,
  orders: ordersSchema,
  pnl: z.record(z.string(), z.tuple([big, big, big, big.nullable()])),
  pnlBookings: z.array(z.tuple([z.string(), big, big])).optional(),
  risk: z.object({ live: z.array(z.unknown()), shadow: z.record(z.string(), z.array(z.unknown())), divergences: z.record(z.string(), z.number()) }),
  health: z.object({
    source: z.string(), lastSuccessAt: time.optional(), lastAttemptAt: time.optional(), consecutiveFailures: nat,
    lastLatencyMs: z.number().optional(), lastError: z.string().optional(), servingFallback: z.boolean(),
  }),
  lastAuthoritativeAt: nullableTime,
  feed: z.object({
    userConnected: z.boolean(), userWasDisconnected: z.boolean(), forceNextSnapshot: z.boolean(), gapOpenSince: nullableTime, failedReconcileAttempts: nat,
  }),
  collateral: big.nullable().optional(),
  merges: z.array(z.union([z.tuple([z.string(), big]), z.tuple([z.string(), big, time])])).optional(),
});

export const EngineStateCodec = {
  export(seq: number, at: number, parts: EngineStateParts): EngineState {
    return { version: ENGINE_STATE_VERSION, seq, at, parts };
  },
  /** Validates a stored checkpoint state; throws CHECKPOINT_INVALID naming the first bad field. */
  import(raw: unknown): EngineState {
    const s = raw as Partial<EngineState> | null;
    if (!s || typeof s !== 'object' || typeof s.seq !== 'number' || !s.parts) {
      throw new PolyquoteError('CHECKPOINT_INVALID', 'expected an engine checkpoint object with seq and parts, got something else');
    }
    if (s.version !== ENGINE_STATE_VERSION) {
      throw new PolyquoteError('CHECKPOINT_VERSION', `expected checkpoint version ${ENGINE_STATE_VERSION}, got ${String(s.version)}: written by another polyquote version`);
    }
    if (!nat.safeParse(s.seq).success || !time.safeParse(s.at).success) throw new PolyquoteError('CHECKPOINT_INVALID', 'expected integer seq and at in the checkpoint');
    const r = partsSchema.safeParse(s.parts);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new PolyquoteError('CHECKPOINT_INVALID', `checkpoint state does not decode: ${i.message} at parts.${i.path.join('.')}`);
    }
    return s as EngineState;
  },
};

/** The engine's parts a checkpoint covers (besides its seq and the confirmed collateral). */
export interface EngineStateHolders {
  readonly inventory: InventoryManager;
  readonly orders: OrderTracker;
  readonly pnl: PnlTracker;
  readonly risk: RiskEngine;
  readonly sources: SourceTracker;
  readonly feed: FeedState;
  readonly merges: ExpectedMerges;
}

/** The checkpoint parts of the engine's current state. */
export function exportEngineParts(h: EngineStateHolders, collateral: Micros | undefined): EngineStateParts {
  return {
    inventory: h.inventory.exportState(), orders: h.orders.exportState(), pnl: h.pnl.exportState(), pnlBookings: h.pnl.exportBookings(), risk: h.risk.exportState(),
    health: h.sources.health, lastAuthoritativeAt: h.sources.lastAuthoritativeAt ?? null, feed: h.feed.export(),
    collateral: collateral?.toString() ?? null,
    merges: h.merges.export(),
  };
}

/** Restores a decoded checkpoint's parts; returns the confirmed collateral it holds. */
export function importEngineParts(h: EngineStateHolders, s: EngineState): Micros | undefined {
  h.inventory.importState(s.parts.inventory);
  h.orders.importState(s.parts.orders);
  h.pnl.importState(s.parts.pnl);
  h.pnl.importBookings(s.parts.pnlBookings ?? []);
  h.risk.importState(s.parts.risk);
  h.sources.health = s.parts.health;
  h.sources.lastAuthoritativeAt = s.parts.lastAuthoritativeAt ?? undefined;
  h.feed.import(s.parts.feed);
  const collateral = s.parts.collateral == null ? undefined : BigInt(s.parts.collateral);
  h.merges.import(s.parts.merges ?? [], s.at);
  return collateral;
}
