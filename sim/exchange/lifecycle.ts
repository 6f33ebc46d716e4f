/**
 * The trade lifecycle, MATCHED → MINED → CONFIRMED (or RETRYING, FAILED): settles each trade on
 * the chain when it is due, one settlement at a time, and reports each status change through the
 * engine. Its fate (fail or not, retries first) was drawn at match time; an RPC error while
 * settling is a retry too, and too many make the trade FAILED.
 */
import type { ExchangeEngine } from './engine.ts';
import type { Settlement } from './settlement.ts';

export interface LifecycleOptions {
  readonly minedDelayMs: number;
  readonly confirmedDelayMs: number;
  readonly retryDelayMs: number;
  /** Settlement errors tolerated before the trade is declared FAILED. */
  readonly maxSettleErrors?: number;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };

export class TradeLifecycle {
  private readonly seen = new Set<string>();
  private readonly timers = new Set<unknown>();
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly off: () => void;
  /** Extra delay before settling, set by the fault controls. */
  settlementDelayMs = 0;

  constructor(
    private readonly engine: ExchangeEngine,
    private readonly settlement: Settlement,
    private readonly opts: LifecycleOptions,
    private readonly now: () => number = Date.now,
    private readonly onError: (tradeId: string, err: unknown) => void = () => {},
    private readonly timers_: Timers = realTimers,
  ) {
    this.off = engine.on((e) => {
      if (e.type !== 'trade' || this.seen.has(e.trade.id)) return;
      this.seen.add(e.trade.id);
      this.later(this.opts.minedDelayMs + this.settlementDelayMs, () => this.advance(e.trade.id, 0, 0));
    });
  }

  /** Waits for every settlement queued so far (tests). */
  async idle(): Promise<void> {
    await this.queue;
  }

  stop(): void {
    this.stopped = true;
    this.off();
    for (const t of this.timers) this.timers_.clearTimeout(t);
    this.timers.clear();
  }

  private advance(id: string, retriesDone: number, settleErrors: number): void {
    const t = this.engine.trade(id);
    if (!t || this.stopped) return;
    if (retriesDone < t.fate.retries) {
      this.engine.setTradeStatus(id, 'RETRYING', this.now());
      this.later(this.opts.retryDelayMs, () => this.advance(id, retriesDone + 1, settleErrors));
      return;
    }
    if (t.fate.fails) {
      this.engine.setTradeStatus(id, 'FAILED', this.now());
      return;
    }
    this.queue = this.queue.then(async () => {
      if (this.stopped) return;
      try {
        const { transactionHash } = await this.settlement.settle(this.engine.opsOf(t));
        if (this.stopped) return;
        this.engine.setTradeStatus(id, 'MINED', this.now(), transactionHash);
        this.later(this.opts.confirmedDelayMs, () => this.engine.setTradeStatus(id, 'CONFIRMED', this.now()));
      } catch (err) {
        if (this.stopped) return;
        this.onError(id, err);
        if (settleErrors + 1 >= (this.opts.maxSettleErrors ?? 5)) this.engine.setTradeStatus(id, 'FAILED', this.now());
        else {
          this.engine.setTradeStatus(id, 'RETRYING', this.now());
          this.later(this.opts.retryDelayMs, () => this.advance(id, retriesDone, settleErrors + 1));
        }
      }
    });
  }

  private later(ms: number, fn: () => void): void {
    const h = this.timers_.setTimeout(() => {
      this.timers.delete(h);
      fn();
    }, ms);
    this.timers.add(h);
  }
}
