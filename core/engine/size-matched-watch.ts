/**
 * size_matched moving past what our fills explain, and staying there for a grace period, is a gap
 * in the user feed (a trade we never heard of). One timer per order, re-armed by each update.
 */
import { formatMicros, type Micros } from '../amounts.ts';
import type { Clock, TimerHandle } from '../clock.ts';

export class SizeMatchedWatch {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly graceMs: number,
    /** What our fills explain of an order's matched size (a FAILED trade's size counts: the venue may keep it). */
    private readonly explained: (orderId: string) => Micros,
    private readonly onGap: (reason: string, at: number, seq: number) => void,
  ) {}

  watch(orderId: string, tokenId: string, sizeMatched: Micros | undefined, at: number, seq: number): void {
    if (sizeMatched === undefined || sizeMatched <= this.explained(orderId)) return;
    this.timers.get(orderId)?.cancel();
    this.timers.set(orderId, this.clock.scheduleAt(at + this.graceMs, () => {
      this.timers.delete(orderId);
      const fills = this.explained(orderId);
      if (sizeMatched > fills) this.onGap(`order ${orderId} size_matched ${formatMicros(sizeMatched)} without matching trades (${formatMicros(fills)}) on ${tokenId}`, this.clock.now(), seq);
    }));
  }

  dispose(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}
