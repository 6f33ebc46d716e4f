/**
 * Every metric polyquote exports, in one place: names (all `polyquote_`), help and label names.
 * Label values are bounded by the caller (labels.ts). State gauges are filled at scrape time from the
 * `MetricsSource`; counters and histograms are fed by bus streams and the `record…` methods.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export const PREFIX = 'polyquote_';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LEDGER_BUCKETS = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5];

export function defineMetrics(reg: Registry, collectState: () => void) {
  const registers = [reg];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: () => void) =>
    new Gauge<L>({ name: PREFIX + name, help, labelNames, registers, ...(collect && { collect }) });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name: PREFIX + name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, buckets: number[], labelNames: readonly L[] = []) =>
    new Histogram<L>({ name: PREFIX + name, help, buckets, labelNames, registers });
  return {
    // The first metric registered: its collect refreshes every state gauge once per scrape.
    lastSeq: gauge('last_seq', 'Sequence number of the last inbound event the engine applied', [], collectState),
    // Positions (shares), per configured token.
    confirmed: gauge('position_confirmed_shares', 'Last authoritative balance (chain first, REST fallback)', ['token']),
    pendingBuys: gauge('position_pending_buys_shares', 'Pending BUY fills not yet absorbed by a snapshot', ['token']),
    pendingSells: gauge('position_pending_sells_shares', 'Pending SELL fills not yet absorbed by a snapshot', ['token']),
    effective: gauge('position_effective_shares', 'confirmed + pending buys - pending sells', ['token']),
    pendingOrderBuys: gauge('position_pending_order_buys_shares', 'Remaining size of open BUY orders (reserved)', ['token']),
    exposure: gauge('position_conservative_exposure_shares', 'confirmed + pending buys + reserved BUY orders (every BUY check)', ['token']),
    availableToSell: gauge('position_available_to_sell_shares', 'What a SELL may use', ['token']),
    limit: gauge('position_limit_shares', 'Position limit (conservative-limits)', ['token']),
    utilisation: gauge('position_limit_utilisation_ratio', 'conservative exposure / limit', ['token']),
    drift: gauge('position_drift_shares', 'effective - confirmed (what the snapshots have not confirmed yet)', ['token']),
    confirmedAge: gauge('position_confirmed_age_seconds', 'Age of the last applied snapshot of the token', ['token']),
    pendingFills: gauge('pending_fills', 'Pending fills waiting for a snapshot', ['token']),
    pendingOldestAge: gauge('pending_fill_oldest_age_seconds', 'Age of the oldest pending fill (0 when none)', ['token']),
    // Reconciliation, counted from the engine's position views.
    reconciliations: counter('reconciliations_total', 'Snapshots applied to a token, by outcome (baseline, unchanged, absorbed, discrepancy)', ['token', 'outcome']),
    absorbed: counter('absorbed_shares_total', 'Pending fill size absorbed by snapshots', ['token', 'side']),
    discrepancies: counter('discrepancies_total', 'Snapshots that moved more than, or against, pending fills', ['token']),
    unexplained: counter('discrepancy_unexplained_shares_total', 'Absolute balance moves no pending fill explained', ['token']),
    snapshots: counter('snapshots_total', 'Balance snapshots received, by source kind and whether a fallback served them', ['source', 'degraded']),
    fills: counter('fills_total', 'Fill reports received, by status', ['token', 'side', 'status']),
    events: counter('events_total', 'Inbound events applied, by type', ['type']),
    collateral: gauge('collateral_usdc', 'Funder collateral balance (pUSD) when the source reads it'),
    // Risk: live and shadow (A/B) sets, `token` is a token id or "overall".
    riskMode: gauge('risk_mode', '1 for the current mode of the set and scope, 0 for the others', ['set', 'token', 'mode']),
    riskLevel: gauge('risk_mode_level', 'Risk mode as a number: 0 normal, 1 degraded, 2 halted', ['set', 'token']),
    riskReason: gauge('risk_reason_active', '1 while the reason applies to the set and scope', ['set', 'token', 'reason']),
    sizeMultiplier: gauge('risk_size_multiplier', 'Quote size multiplier the live decision imposes', ['token']),
    extraTicks: gauge('risk_extra_ticks', 'Extra ticks of spread the live decision imposes', ['token']),
    transitions: counter('risk_transitions_total', 'Live risk mode changes, by new mode', ['token', 'mode']),
    halts: counter('halts_total', 'Times the live decision became halted', ['token']),
    divergences: counter('shadow_divergences_total', 'Evaluations where a shadow set decided differently from the live set', ['set']),
    // Feeds and gaps.
    feedConnected: gauge('feed_connected', '1 while the feed channel is connected', ['channel']),
    disconnects: counter('feed_disconnects_total', 'Feed disconnections', ['channel']),
    reconnects: counter('feed_reconnects_total', 'Feed reconnections after a disconnection', ['channel']),
    gaps: counter('feed_gaps_total', 'Feed gaps detected (reported, reconnect, unknown order, size_matched ahead)', ['channel']),
    gapsOpen: gauge('feed_gaps_open', 'Feed gaps waiting for a force reconcile'),
    // Position source.
    sourceFailures: counter('source_failures_total', 'Failed snapshot attempts', ['source']),
    sourceLatency: histogram('source_latency_seconds', 'Latency of successful snapshot attempts', LATENCY_BUCKETS),
    sourceFailing: gauge('source_consecutive_failures', 'Consecutive failed snapshot attempts'),
    sourceFallback: gauge('source_serving_fallback', '1 while snapshots come from a fallback source'),
    sourceAge: gauge('source_last_success_age_seconds', 'Time since the last successful snapshot (-1 before the first)'),
    // Ledger.
    ledgerAppend: histogram('ledger_append_seconds', 'Time to append one event to the ledger (buffered)', LEDGER_BUCKETS),
    ledgerCommit: histogram('ledger_commit_seconds', 'Time of a ledger flush / group commit', LEDGER_BUCKETS),
    ledgerFailed: gauge('ledger_failed', '1 once the ledger failed (quoting stopped)'),
    // Orders and quoting (fed by the bus and by the order gateway / venue through record…).
    submitted: counter('orders_submitted_total', 'Orders submitted', ['token', 'side', 'variant']),
    cancelled: counter('orders_cancelled_total', 'Order cancels requested', ['token', 'variant']),
    rejected: counter('orders_rejected_total', 'Orders rejected (venue or local), by reason', ['token', 'reason', 'variant']),
    orderUpdates: counter('order_updates_total', 'Order status updates received', ['status']),
    openOrders: gauge('open_orders', 'Our open orders (quotes)', ['token', 'side']),
    rateLimit: gauge('rate_limit_remaining', 'Requests left in the rate-limit budget', ['bucket']),
    quoteAge: gauge('quote_age_seconds', 'Time since the quote was last refreshed', ['token', 'side', 'variant']),
    // PnL (USDC).
    realized: gauge('pnl_realized_usdc', 'Realized PnL, average cost on effective size', ['token']),
    unrealized: gauge('pnl_unrealized_usdc', 'Unrealized PnL at the mid mark', ['token']),
    mark: gauge('mark_price', 'Mid price used as the mark', ['token']),
    // Alerts and self-protection.
    alerts: counter('alerts_total', 'Alerts raised, by severity and code', ['severity', 'code']),
    labelOverflow: counter('metrics_label_overflow_total', 'Label values folded into "other" because of the cardinality cap', ['label']),
    errors: counter('metrics_errors_total', 'Errors while keeping metrics (contained: never thrown into the engine)'),
  };
}

export type MetricSet = ReturnType<typeof defineMetrics>;
