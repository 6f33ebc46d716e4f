/**
 * Injected time. Core logic never reads Date.now(): live runs use SystemClock, replay and tests use
 * VirtualClock, whose timers fire in due-time order (ties in scheduling order) when it is advanced.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Runs `fn` once at or after `at` (epoch ms). */
  scheduleAt(at: number, fn: () => void): TimerHandle;
  /** Runs `fn` every `everyMs`, first at now + everyMs. */
  every(everyMs: number, fn: () => void): TimerHandle;
}

/**
 * Where a throwing timer callback goes. Unset, the error propagates (tests see it); the composition
 * root sets it so a failing timer becomes an alert and a health state while the engine goes on.
 */
export type TimerErrorHandler = (err: unknown) => void;

function guarded(fn: () => void, handler: () => TimerErrorHandler | undefined): () => void {
  return () => {
    const h = handler();
    if (!h) return fn();
    try {
      fn();
    } catch (err) {
      h(err);
    }
  };
}

export class SystemClock implements Clock {
  onTimerError: TimerErrorHandler | undefined;
  now(): number {
    return Date.now();
  }
  scheduleAt(at: number, fn: () => void): TimerHandle {
    const t = setTimeout(guarded(fn, () => this.onTimerError), Math.max(0, at - Date.now()));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  }
  every(everyMs: number, fn: () => void): TimerHandle {
    const t = setInterval(guarded(fn, () => this.onTimerError), everyMs);
    t.unref?.();
    return { cancel: () => clearInterval(t) };
  }
}

interface VirtualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Deterministic clock: time moves only through advanceTo/advanceBy. */
export class VirtualClock implements Clock {
  onTimerError: TimerErrorHandler | undefined;
  private current: number;
  private seq = 0;
  // A binary heap keyed by (at, seq): scheduling and firing are O(log n).
  private heap: VirtualTimer[] = [];
  /** The time advanceTo is moving to, while it fires timers. */
  private target: number | undefined;

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  scheduleAt(at: number, fn: () => void): TimerHandle {
    const timer: VirtualTimer = { at: Math.max(at, this.current), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  every(everyMs: number, fn: () => void): TimerHandle {
    if (everyMs <= 0) throw new RangeError(`expected a positive interval, got ${everyMs}`);
    let handle: TimerHandle;
    let stopped = false;
    const tick = (at: number) => {
      handle = this.scheduleAt(at, () => {
        if (stopped) return;
        // Periods missed inside one jump collapse into one run at the last of them, so a jump's
        // cost is bounded by the timers due, not by how much virtual time it spans.
        let next = at + everyMs;
        const target = this.target;
        if (target !== undefined && next <= target) next = at + Math.floor((target - at) / everyMs) * everyMs;
        if (next <= at) next = at + everyMs;
        tick(next);
        fn();
      });
    };
    tick(this.current + everyMs);
    return {
      cancel: () => {
        stopped = true;
        handle.cancel();
      },
    };
  }

  /** Fires every timer due at or before `target` in order, then sets the time to `target`. */
  advanceTo(target: number): void {
    if (!Number.isFinite(target)) throw new RangeError(`expected a finite time, got ${target}`);
    if (target < this.current) throw new RangeError(`virtual clock cannot go back from ${this.current} to ${target}`);
    const outer = this.target;
    this.target = outer === undefined ? target : Math.min(outer, target);
    try {
      for (;;) {
        const top = this.heap[0];
        if (!top || top.at > target) break;
        this.pop();
        if (top.cancelled) continue;
        this.current = top.at;
        guarded(top.fn, () => this.onTimerError)();
      }
    } finally {
      this.target = outer;
    }
    this.current = target;
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  /** Number of timers still scheduled (cancelled ones may linger until popped). */
  get pendingTimers(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  private less(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(t: VirtualTimer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

/**
 * The live engine's clock. During crash recovery it runs virtually, jumping to each ledgered
 * event's time so that timers (TTL age-outs, degrade windows) fire exactly as they did live; then
 * `goLive()` moves every timer still due onto the live clock.
 */
export class RecoveringClock implements Clock {
  private virtual: VirtualClock | undefined;
  private timerErrorHandler: TimerErrorHandler | undefined;

  /** Routes throwing timer callbacks (live and during recovery) to this handler. */
  set onTimerError(h: TimerErrorHandler | undefined) {
    this.timerErrorHandler = h;
    if ('onTimerError' in this.live) (this.live as { onTimerError: TimerErrorHandler | undefined }).onTimerError = h;
    if (this.virtual) this.virtual.onTimerError = h;
  }
  private readonly parked = new Set<{ at: number; fn: () => void; handle: TimerHandle; done: boolean }>();

  constructor(private readonly live: Clock) {}

  get recovering(): boolean {
    return this.virtual !== undefined;
  }

  now(): number {
    return this.virtual ? this.virtual.now() : this.live.now();
  }

  beginRecovery(startAt: number): void {
    this.virtual = new VirtualClock(startAt);
    this.virtual.onTimerError = this.timerErrorHandler;
  }

  advanceTo(at: number): void {
    if (!this.virtual) throw new Error('advanceTo outside recovery');
    if (at > this.virtual.now()) this.virtual.advanceTo(at);
  }

  goLive(): void {
    if (!this.virtual) return;
    this.virtual = undefined;
    for (const t of this.parked) {
      if (t.done) continue;
      t.handle = this.live.scheduleAt(t.at, () => {
        t.done = true;
        this.parked.delete(t);
        t.fn();
      });
    }
  }

  scheduleAt(at: number, fn: () => void): TimerHandle {
    if (!this.virtual) return this.live.scheduleAt(at, fn);
    const entry = { at, fn, handle: undefined as unknown as TimerHandle, done: false };
    entry.handle = this.virtual.scheduleAt(at, () => {
      entry.done = true;
      this.parked.delete(entry);
      fn();
    });
    this.parked.add(entry);
    return {
      cancel: () => {
        entry.done = true;
        entry.handle.cancel();
        this.parked.delete(entry);
      },
    };
  }

  every(everyMs: number, fn: () => void): TimerHandle {
    // Periodic work (checkpoints, polling) belongs to the live run only.
    return this.live.every(everyMs, fn);
  }
}
