/**
 * The RiskEngine's inputs as the engine provides them: per-token and global inputs read from the
 * live managers, and the verdict the engine itself imposes (ledger failed, awaiting the start-up
 * snapshot). Built once at construction; tokenInput runs on every event, so it copies nothing.
 */
import type { Clock } from '../clock.ts';
import type { AlertRaised } from '../events.ts';
import type { InventoryManager } from '../inventory/inventory-manager.ts';
import type { OrderTracker } from '../orders/order-tracker.ts';
import type { RiskInputs } from '../risk/risk-engine.ts';
import type { FeedState } from './feed-state.ts';
import type { SourceTracker } from './source-tracker.ts';

/** The narrow view of the engine the risk inputs read. */
export interface RiskInputSources {
  readonly clock: Clock;
  readonly startedAt: number;
  readonly inventory: InventoryManager;
  readonly orders: OrderTracker;
  readonly sources: SourceTracker;
  readonly feed: FeedState;
  ledgerFailed(): boolean;
  awaitingStartupSnapshot(): boolean;
  alert(a: Omit<AlertRaised, 'type' | 'at'>): void;
  requestSnapshot(reason: string): void;
}

/** Builds the RiskEngine's connection to the engine's state. */
export function riskInputs(s: RiskInputSources): RiskInputs {
  const { clock, startedAt, inventory, orders, sources, feed } = s;
  return {
    tokenInput: (t) => {
      // Built from the live objects, without copying the pending list: this runs on every event.
      const p = inventory.position(t);
      const pendingOrderBuys = orders.pendingOrderBuys(t);
      return {
        tokenId: t, now: clock.now(), hasSnapshot: p.confirmedAt !== undefined, confirmed: p.confirmed,
        pendingBuys: p.pendingBuys, pendingSells: p.pendingSells, effective: p.effective, pendingOrderBuys,
        conservativeExposure: p.conservativeExposure(pendingOrderBuys), availableToSell: p.availableToSell,
        discrepancies: inventory.discrepancyCount(t),
      };
    },
    globalInput: () => ({
      now: clock.now(), startedAt, health: sources.health, lastAuthoritativeAt: sources.lastAuthoritativeAt,
      userFeedConnected: feed.userConnected, gapOpenSince: feed.gapOpenSince, failedReconcileAttempts: feed.failedReconcileAttempts,
    }),
    alert: (a) => s.alert(a),
    engineVerdict: () => {
      if (s.ledgerFailed()) return { mode: 'halted', reasons: ['LEDGER_FAILED'] };
      if (s.awaitingStartupSnapshot()) return { mode: 'halted', reasons: ['AWAITING_SNAPSHOT'] };
      return undefined;
    },
    requestSnapshot: (reason) => s.requestSnapshot(reason),
  };
}
