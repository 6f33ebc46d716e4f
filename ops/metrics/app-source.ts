/** Feeds a `MetricsSource` from a running `App` (engine views and bus streams), read-only. */
import type { Micros } from '../../core/amounts.ts';
import type { App } from '../../app/app.ts';
import type { EngineOptions } from '../../core/engine/engine.ts';
import { TOKENS } from '../../core/tokens.ts';
import type { BookUpdated } from '../../core/events.ts';
import type { SourceHealth } from '../../core/sources/position-source.ts';
import type { MetricsSource, TopOfBook } from './source.ts';

function topOfBook(b: BookUpdated | undefined): TopOfBook | undefined {
  if (!b) return undefined;
  let bestBid: Micros | undefined;
  let bestAsk: Micros | undefined;
  for (const [p, s] of b.bids) if (s > 0n && (bestBid === undefined || p > bestBid)) bestBid = p;
  for (const [p, s] of b.asks) if (s > 0n && (bestAsk === undefined || p < bestAsk)) bestAsk = p;
  return { bestBid, bestAsk };
}

export function appSource(app: App): MetricsSource {
  const engine = app.engine;
  // The engine's own limit lookup: the tightest declared limit of the token's policy set (A/B variants included).
  const limitFor = app.container.resolve<EngineOptions>(TOKENS.EngineOptions).limitFor;
  // The engine's health is the authority; the source runner adds the latency of its last attempt.
  let runnerHealth: SourceHealth | undefined;
  app.bus.sourceHealth$.subscribe((h) => void (runnerHealth = h));
  return {
    now: () => app.clock.now(),
    tokenIds: () => [...new Set([...app.config.tokens, ...engine.tokenIds()])],
    position: (t) => engine.position(t),
    decision: (t) => (t === undefined ? engine.risk.global : engine.risk.decisionFor(t)),
    limit: (t) => limitFor?.(t),
    pnl: (t) => engine.pnl.view(t),
    sourceHealth: () => ({ ...engine.sourceHealth, lastLatencyMs: runnerHealth?.lastLatencyMs ?? engine.sourceHealth.lastLatencyMs }),
    shadowSets: () => engine.risk.shadowSets.map((s) => s.name),
    shadowDecision: (name, t) => engine.risk.shadowDecision(name, t),
    shadowDivergences: (name) => engine.risk.divergenceCount(name),
    lastSeq: () => engine.lastSeq,
    quotes: () => engine.orders.openOrders(),
    book: (t) => topOfBook(engine.book(t)),
    openGaps: () => {
      try {
        return app.ledger.openGaps().length;
      } catch {
        return 0;
      }
    },
    ledgerFailed: () => engine.ledgerFailure !== undefined,
    venueHealth: () => app.venue?.health(),
    rateBudget: () => app.venue?.rateBudget(),
    strategyStates: () => app.strategyStates(),
    events$: app.bus.events$,
    positions$: app.bus.positions$,
    alerts$: app.bus.alerts$,
    risk$: app.bus.riskDecision$,
    sourceHealth$: app.bus.sourceHealth$,
  };
}
