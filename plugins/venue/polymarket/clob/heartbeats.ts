/**
 * The dead-man switch: POST /v1/heartbeats every `intervalMs` (default 5 s) with the previous
 * answer's `heartbeat_id`; if the venue stops hearing them (~10 s) it cancels every open order.
 * `ok` fails closed: false before the first success, after any failure, and when no heartbeat has
 * succeeded for two intervals; the client refuses submits (HEARTBEAT_FAILED) while it is false.
 */
import type { Clock, TimerHandle } from '../../../../core/clock.ts';
import { errorMessage } from '../../../../core/errors.ts';
import type { Logger } from '../../../../core/logger.ts';

/** Sends one heartbeat with the chained id; resolves with the next id. */
export type HeartbeatSend = (heartbeatId: string) => Promise<string>;

export class Heartbeats {
  private timer: TimerHandle | undefined;
  private inFlight = false;
  private lastId = '';
  private lastOkAt: number | undefined;
  private failed = false;
  lastError: string | undefined;
  sent = 0;

  constructor(
    private readonly send: HeartbeatSend,
    private readonly clock: Clock,
    readonly intervalMs = 5_000,
    private readonly logger?: Logger,
  ) {}

  /** True while heartbeats are succeeding (see the file comment). */
  get ok(): boolean {
    return !this.failed && this.lastOkAt !== undefined && this.clock.now() - this.lastOkAt <= 2 * this.intervalMs;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Sends one now and then every interval. */
  start(): void {
    if (this.timer) return;
    this.timer = this.clock.every(this.intervalMs, () => void this.beat());
    void this.beat();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One heartbeat (skipped while the previous one is still in flight). */
  async beat(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    this.sent++;
    try {
      this.lastId = await this.send(this.lastId);
      this.lastOkAt = this.clock.now();
      if (this.failed) this.logger?.info('heartbeats succeed again; submits allowed');
      this.failed = false;
      this.lastError = undefined;
    } catch (err) {
      if (!this.failed) this.logger?.error({ err: errorMessage(err) }, 'heartbeat failed: submits refused until one succeeds');
      this.failed = true;
      this.lastError = errorMessage(err);
      this.lastId = ''; // start a fresh chain: a stale id would keep failing
    } finally {
      this.inFlight = false;
    }
  }
}
