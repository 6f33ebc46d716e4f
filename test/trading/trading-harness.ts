/** An App on a virtual clock with a venue double: the gateway, market view and runner are the real ones. */
import { App } from '../../app/app.ts';
import { VirtualClock } from '../../core/clock.ts';
import { parseConfig } from '../../core/config/load.ts';
import type { AlertRaised, SequencedEvent } from '../../core/events.ts';
import { createMemoryLogger } from '../../core/logger.ts';
import type { MarketInfo } from '../../core/venue/venue.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { VenueDouble } from '../support/venue-double.ts';
import { NO, START, YES, sh } from '../core/harness.ts';

export { NO, START, YES, sh };

export const MARKET: MarketInfo = { marketId: '0xabc', tokens: [YES, NO], tickSize: sh('0.01'), minOrderSize: sh(5), negRisk: false };

export async function startTrading(opts: { limit?: number; policies?: string } = {}) {
  const yaml = [
    'risk:',
    '  policies:',
    opts.policies ?? `    - { kind: conservative-limits, maxPositionShares: ${opts.limit ?? 100} }`,
    'alerts: []',
    'ledger: { kind: memory }',
    'log: { level: silent }',
  ].join('\n');
  const config = parseConfig(yaml, new PluginRegistry());
  const clock = new VirtualClock(START);
  const mem = createMemoryLogger('debug');
  const venue = new VenueDouble([MARKET]);
  const app = App.create(config, { clock, ledger: { kind: 'memory' }, withoutSources: true, logger: mem.logger, venue, lookupDelaysMs: [100, 200, 400] });
  const alerts: AlertRaised[] = [];
  const events: SequencedEvent[] = [];
  app.bus.alerts$.subscribe((a) => alerts.push(a));
  app.bus.events$.subscribe((e) => events.push(e));
  await app.start();
  await app.startTrading();
  /** Lets promises run and virtual time pass until `p` settles. */
  async function settle<T>(p: Promise<T>, stepMs = 50, maxSteps = 400): Promise<T> {
    let done = false;
    let value: T;
    let error: unknown;
    let failed = false;
    p.then((v) => { done = true; value = v; }, (e) => { done = true; failed = true; error = e; });
    for (let i = 0; i < maxSteps && !done; i++) {
      for (let k = 0; k < 5; k++) await Promise.resolve();
      if (!done) clock.advanceBy(stepMs);
    }
    for (let k = 0; k < 5 && !done; k++) await Promise.resolve();
    if (!done) throw new Error('promise did not settle');
    if (failed) throw error;
    return value!;
  }
  const snapshot = (balances: Record<string, number>, collateral?: number) =>
    app.engine.ingest({
      type: 'balance', at: clock.now(), source: 'chain', balances: new Map(Object.entries(balances).map(([k, v]) => [k, sh(v)])),
      ...(collateral !== undefined && { collateral: sh(collateral) }),
    });
  return { app, engine: app.engine, gateway: app.gateway!, market: app.market!, venue, clock, alerts, events, settle, snapshot, logs: () => mem.lines() };
}
