/** Read-only views of engine state, as consumers (risk, PnL, alerts, strategy, reports) see it. */
import type { Micros } from '../amounts.ts';
import type { PendingFill } from '../inventory/tracked-position.ts';

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
