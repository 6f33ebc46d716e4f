/**
 * Re-entrancy: an event raised while another is applied or published (a strategy reacting to a
 * fill, a timer) is ledgered at once and waits here, to be applied right after the current one, in
 * ledger order. Submits admitted but still queued are counted, so admission never lets two quotes
 * share one room (their BUY size per token and the collateral they will reserve).
 */
import { mulMicros, type Micros } from '../amounts.ts';
import type { InboundEvent } from '../events.ts';

export class DispatchQueue {
  private readonly items: { event: InboundEvent; seq: number }[] = [];
  private head = 0;
  private readonly buys = new Map<string, Micros>();
  private cash: Micros = 0n;
  private dispatching = false;

  /** `apply` applies and publishes one event; it must not throw (the engine's applySafely). */
  constructor(private readonly apply: (event: InboundEvent, seq: number) => void) {}

  /** Whether an event is being applied or published right now (re-entrant ones are queued). */
  get busy(): boolean {
    return this.dispatching;
  }

  /** Applies a ledgered event now, then whatever it raised; while one is applied, queues it. */
  dispatch(event: InboundEvent, seq: number): void {
    if (this.dispatching) {
      this.push(event, seq);
      return;
    }
    this.dispatching = true;
    try {
      this.apply(event, seq);
      for (let next = this.shift(); next !== undefined; next = this.shift()) this.apply(next.event, next.seq);
    } finally {
      this.clear();
      this.dispatching = false;
    }
  }

  push(event: InboundEvent, seq: number): void {
    this.items.push({ event, seq });
    if (event.type === 'submit' && event.side === 'BUY') {
      this.buys.set(event.tokenId, (this.buys.get(event.tokenId) ?? 0n) + event.size);
      this.cash += mulMicros(event.size, event.price);
    }
  }

  /** The next queued event (no longer counted as queued), or undefined when none waits. */
  shift(): { event: InboundEvent; seq: number } | undefined {
    if (this.head >= this.items.length) return undefined;
    const next = this.items[this.head]!;
    this.items[this.head++] = undefined as never;
    const e = next.event;
    if (e.type === 'submit' && e.side === 'BUY') {
      const left = (this.buys.get(e.tokenId) ?? 0n) - e.size;
      if (left > 0n) this.buys.set(e.tokenId, left);
      else this.buys.delete(e.tokenId);
      this.cash -= mulMicros(e.size, e.price);
    }
    return next;
  }

  /** BUY size of queued submits on a token. */
  queuedBuys(tokenId: string): Micros {
    return this.buys.get(tokenId) ?? 0n;
  }

  /** Collateral queued BUY submits will reserve. */
  get queuedCash(): Micros {
    return this.cash;
  }

  clear(): void {
    // Nothing was pushed since the last clear (the usual case): then nothing is counted either.
    if (this.items.length === 0) return;
    this.items.length = 0;
    this.head = 0;
    this.buys.clear();
    this.cash = 0n;
  }
}
