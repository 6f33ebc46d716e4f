/** Dedup keys for fills. */
import type { FillReported } from '../events.ts';

/**
 * A maker fill is one (trade id, order id) pair — one taker match can fill several of our orders —
 * so the key joins both when both are known. A fill with no trade id gets a key built from the
 * engine's sequence number, which is unique per received event: two id-less fills in the same
 * millisecond stay two.
 */
export function fillKey(fill: FillReported, seq: number): { key: string; synthesized: boolean } {
  if (fill.tradeId) return { key: fill.orderId ? `${fill.tradeId}:${fill.orderId}` : fill.tradeId, synthesized: false };
  return { key: `synth:${fill.orderId ?? 'no-order'}:${fill.at}:${seq}`, synthesized: true };
}
