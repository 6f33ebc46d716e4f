/**
 * The funder's collateral: confirmed by the last authoritative snapshot that read it, moved by
 * pending fills, reserved by open BUY orders and by BUY submits still queued.
 */
import type { Micros } from '../amounts.ts';
import type { InventoryManager } from '../inventory/inventory-manager.ts';
import type { OrderTracker } from '../orders/order-tracker.ts';
import type { DispatchQueue } from './dispatch-queue.ts';

export interface CollateralState {
  confirmed: Micros;
  pendingDelta: Micros;
  reserved: Micros;
  available: Micros;
  known: boolean;
}

export class Collateral {
  /** As the last authoritative snapshot read it (undefined: not read). */
  confirmed: Micros | undefined;

  constructor(private readonly inventory: InventoryManager, private readonly orders: OrderTracker, private readonly queue: DispatchQueue) {}

  state(): CollateralState {
    let pendingDelta = 0n;
    for (const t of this.inventory.tokenIds()) pendingDelta += this.inventory.position(t).pendingCash;
    const reserved = this.orders.reservedCollateral + this.queue.queuedCash;
    const confirmed = this.confirmed ?? 0n;
    return { confirmed, pendingDelta, reserved, available: confirmed + pendingDelta - reserved, known: this.confirmed !== undefined };
  }
}
