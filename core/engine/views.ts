/** Read-only views of engine state, as consumers (risk, PnL, alerts, strategy, reports) see it. */
import type { Micros } from '../amounts.ts';
import type { InventoryManager } from '../inventory/inventory-manager.ts';
import type { PendingFill } from '../inventory/tracked-position.ts';
import type { OrderTracker } from '../orders/order-tracker.ts';

export interface PositionView {
  readonly tokenId: string;
  readonly confirmed: Micros;
  readonly confirmedAt: number | undefined;
  readonly confirmedBlock: bigint | undefined;
  readonly pendingBuys: Micros;
  readonly pendingSells: Micros;
  readonly effective: Micros;
  readonly pendingOrderBuys: Micros;
  readonly conservativeExposure: Micros;
  readonly availableToSell: Micros;
  /** Oldest first. */
  readonly pendingFills: readonly PendingFill[];
  readonly discrepancies: number;
}

/** A token's full position view, built from the inventory and the open orders. */
export function positionView(inventory: InventoryManager, orders: OrderTracker, tokenId: string): PositionView {
  const p = inventory.position(tokenId);
  const pendingOrderBuys = orders.pendingOrderBuys(tokenId);
  return {
    tokenId, confirmed: p.confirmed, confirmedAt: p.confirmedAt, confirmedBlock: p.confirmedBlock,
    pendingBuys: p.pendingBuys, pendingSells: p.pendingSells, effective: p.effective, pendingOrderBuys,
    conservativeExposure: p.conservativeExposure(pendingOrderBuys), availableToSell: p.availableToSell,
    pendingFills: [...p.pending.values()], discrepancies: inventory.discrepancyCount(tokenId),
  };
}
