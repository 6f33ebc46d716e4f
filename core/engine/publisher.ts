/**
 * What the engine tells the rest of the bot on the bus: each applied event, the risk state (only
 * when some decision changed), alerts, and position views (only built when someone listens).
 * While the ledger is replayed (`replaying`: crash recovery) nothing is published at all.
 */
import type { Bus } from '../bus.ts';
import type { Clock } from '../clock.ts';
import { errorMessage } from '../errors.ts';
import type { AlertRaised, InboundEvent } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { RiskEngine } from '../risk/risk-engine.ts';

export class EnginePublisher {
  /** Set while recovery re-applies ledgered events: state is rebuilt, nothing is published. */
  replaying = false;
  private publishedRiskChanges = -1;

  constructor(private readonly bus: Bus, private readonly clock: Clock, private readonly logger: Logger, private readonly risk: RiskEngine) {}

  publishEvent(seq: number, event: InboundEvent): void {
    if (this.replaying) return;
    try {
      this.bus.publishEvent({ seq, event });
    } catch (err) {
      // A throwing subscriber is contained by the bus; this only guards the engine's own loop.
      this.logger.error({ seq, err: errorMessage(err) }, 'event subscriber failed');
    }
  }

  publishRisk(): void {
    // Building the full state is O(tokens): done only when some decision actually changed.
    if (this.replaying || this.risk.changes === this.publishedRiskChanges) return;
    this.publishedRiskChanges = this.risk.changes;
    const byToken = new Map(this.risk.evaluatedTokens().map((t) => [t, this.risk.decisionFor(t)]));
    this.bus.publishRisk({ global: this.risk.global, byToken });
  }

  alert(a: Omit<AlertRaised, 'type' | 'at'>): void {
    if (this.replaying) return;
    this.bus.publishAlert({ type: 'alert', at: this.clock.now(), ...a });
  }

  /** Whether position views are wanted now (someone listens, and this is not a replay). */
  get wantsPositions(): boolean {
    return !this.replaying && this.bus.hasPositionObservers;
  }
}
