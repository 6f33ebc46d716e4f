/**
 * The trading side of the live bot, read at scrape time: the venue's feed states, heartbeat and
 * back-off windows (`venue.health()`), its rate-limit budget (`venue.rateBudget()`), the freshest
 * quote per token and side (open orders' `submittedAt`), strategy states and component health.
 *
 * Pure functions turn what the live objects report into samples (table-tested); `TradingGauges`
 * holds the gauges and `PolyquoteMetrics.addCollector` refreshes them once per scrape
 * (ops/metrics/live-hooks.ts wires it on an App).
 */
import { Gauge, type Registry } from 'prom-client';
import type { ComponentHealth, HealthState } from '../../core/health.ts';
import type { Side } from '../../core/events.ts';
import type { RateBudget, VenueHealth } from '../../core/venue/venue.ts';
import { PREFIX } from './definitions.ts';
import { BoundedLabel } from './labels.ts';

export const FEEDS = ['user', 'market'] as const;
export const FEED_STATES = ['connected', 'connecting', 'disconnected'] as const;
export const STRATEGY_STATES = ['starting', 'running', 'stopped', 'failed'] as const;
export const HEALTH_STATES: readonly HealthState[] = ['ok', 'degraded', 'failing', 'stopped'];

export interface Sample<L extends string = string> {
  readonly labels: Readonly<Record<L, string>>;
  readonly value: number;
}

export interface VenueSamples {
  readonly feedState: readonly Sample<'feed' | 'state'>[];
  readonly heartbeatOk: number;
  /** Seconds left of a back-off window the venue asked for (0 when none). */
  readonly backoffSeconds: number;
  /** Seconds left of a post-only window (0 when none). */
  readonly postOnlySeconds: number;
}

const left = (until: number | undefined, now: number) => (until === undefined ? 0 : Math.max(0, until - now) / 1000);

/** The venue's health as gauge samples: one 1 per feed for its current state, the others 0. */
export function venueSamples(h: VenueHealth, now: number): VenueSamples {
  const state = { user: h.userFeed, market: h.marketFeed };
  return {
    feedState: FEEDS.flatMap((feed) => FEED_STATES.map((s) => ({ labels: { feed, state: s }, value: state[feed] === s ? 1 : 0 }))),
    heartbeatOk: h.heartbeatOk ? 1 : 0,
    backoffSeconds: left(h.backoffUntil, now),
    postOnlySeconds: left(h.postOnlyUntil, now),
  };
}

/** The rate budget as (bucket, remaining, capacity) rows: `orders` and `cancels`. */
export function rateSamples(b: RateBudget): readonly { bucket: string; remaining: number; capacity: number }[] {
  return [
    { bucket: 'orders', remaining: b.orders.remaining, capacity: b.orders.capacity },
    { bucket: 'cancels', remaining: b.cancels.remaining, capacity: b.cancels.capacity },
  ];
}

export interface OpenOrderLike {
  readonly tokenId: string;
  readonly side: Side;
  readonly submittedAt: number;
}

/** The freshest quote per token and side: the latest `submittedAt` among our open orders there. */
export function freshestQuotes(orders: readonly OpenOrderLike[]): Map<string, { tokenId: string; side: Side; at: number }> {
  const out = new Map<string, { tokenId: string; side: Side; at: number }>();
  for (const o of orders) {
    const key = `${o.tokenId}|${o.side}`;
    const prev = out.get(key);
    if (!prev || o.submittedAt > prev.at) out.set(key, { tokenId: o.tokenId, side: o.side, at: o.submittedAt });
  }
  return out;
}

/** One 1 per strategy for its state, the other states 0. */
export function strategySamples(states: readonly { name: string; state: string }[]): Sample<'strategy' | 'state'>[] {
  return states.flatMap(({ name, state }) => STRATEGY_STATES.map((s) => ({ labels: { strategy: name, state: s }, value: state === s ? 1 : 0 })));
}

/** One 1 per component (strategies, timers, subscribers, sinks …) for its health state. */
export function componentSamples(all: readonly ComponentHealth[]): Sample<'component' | 'state'>[] {
  return all.flatMap((c) => HEALTH_STATES.map((s) => ({ labels: { component: c.component, state: s }, value: c.state === s ? 1 : 0 })));
}

export function defineTradingMetrics(reg: Registry) {
  const registers = [reg];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Gauge<L>({ name: PREFIX + name, help, labelNames, registers });
  return {
    feedState: gauge('venue_feed_state', '1 for the current state of the venue feed (user, market), 0 for the others', ['feed', 'state']),
    heartbeatOk: gauge('venue_heartbeat_ok', '1 while the venue heartbeats (dead-man switch) succeed; 0 = submits refused'),
    backoff: gauge('venue_backoff_seconds', 'Seconds left of a back-off the venue asked for (429/425/503), 0 when none'),
    postOnly: gauge('venue_post_only_seconds', 'Seconds left of a post-only window after a matching-engine restart, 0 when none'),
    rateCapacity: gauge('rate_limit_capacity', 'Size of the rate-limit bucket', ['bucket']),
    strategyState: gauge('strategy_state', '1 for the current state of the strategy, 0 for the others', ['strategy', 'state']),
    componentHealth: gauge('component_health', '1 for the current health state of the component, 0 for the others', ['component', 'state']),
  };
}

/** The gauges above with bounded label values; `update` replaces every series at once. */
export class TradingGauges {
  private readonly g: ReturnType<typeof defineTradingMetrics>;
  private readonly strategies = new BoundedLabel('strategy', 16);
  private readonly components = new BoundedLabel('component', 32);

  constructor(reg: Registry) {
    this.g = defineTradingMetrics(reg);
  }

  get labels(): readonly BoundedLabel[] {
    return [this.strategies, this.components];
  }

  venue(h: VenueHealth | undefined, now: number): void {
    const g = this.g;
    for (const x of [g.feedState, g.heartbeatOk, g.backoff, g.postOnly]) x.reset();
    if (!h) return;
    const s = venueSamples(h, now);
    for (const x of s.feedState) g.feedState.set(x.labels, x.value);
    g.heartbeatOk.set(s.heartbeatOk);
    g.backoff.set(s.backoffSeconds);
    g.postOnly.set(s.postOnlySeconds);
  }

  capacity(bucket: string, capacity: number): void {
    this.g.rateCapacity.set({ bucket }, capacity);
  }

  strategiesAndComponents(states: readonly { name: string; state: string }[], components: readonly ComponentHealth[]): void {
    const g = this.g;
    g.strategyState.reset();
    g.componentHealth.reset();
    for (const x of strategySamples(states)) g.strategyState.set({ ...x.labels, strategy: this.strategies.value(x.labels.strategy) }, x.value);
    for (const x of componentSamples(components)) g.componentHealth.set({ ...x.labels, component: this.components.value(x.labels.component) }, x.value);
  }
}
