/**
 * The engine's writes to the ledger. The first failure — thrown by a write or reported by the
 * ledger itself — is kept and reported once; from then on nothing more is written (events refused
 * meanwhile would be a hole), and the engine halts on `failed`.
 */
import { eventTokenId, type InboundEvent } from '../events.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { encodeEventJson } from '../tape-json.ts';

export class GuardedLedger {
  private failure: Error | undefined;

  constructor(private readonly ledger: Ledger, private readonly onFailed: (err: Error) => void) {
    ledger.onFailure((err) => this.fail(err));
  }

  /** The first write failure, if any. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Appends a sequenced event (runs on every event: no closure). */
  append(seq: number, event: InboundEvent): void {
    if (this.failure) return;
    try {
      this.ledger.append({ seq, type: event.type, tokenId: eventTokenId(event) ?? null, at: event.at, payloadJson: encodeEventJson(event) });
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  recordGap(gap: { channel: string; reason: string; detectedAt: number; detectedSeq: number }): void {
    if (this.failure) return;
    try {
      this.ledger.recordGap(gap);
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  resolveGaps(resolution: { resolvedAt: number; resolvedBySeq: number; resolution: string }): void {
    if (this.failure) return;
    try {
      this.ledger.resolveGaps(resolution);
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.onFailed(err);
  }
}
