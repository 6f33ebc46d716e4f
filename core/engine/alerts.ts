/** The wording of the engine's longer alerts: what an operator reads when its inputs disagree. */
import { formatMicros, type Micros } from '../amounts.ts';
import type { AlertRaised } from '../events.ts';
import type { PendingFill } from '../inventory/tracked-position.ts';
import type { ExpiredMerge } from './expected-merges.ts';

export type EngineAlert = Omit<AlertRaised, 'type' | 'at'>;

/** Pending fills no snapshot confirmed within their TTL were dropped. */
export function agedOutAlert(tokenId: string, aged: readonly PendingFill[], netDelta: Micros): EngineAlert {
  return {
    severity: 'warning', code: 'PENDING_AGED_OUT', tokenId,
    message: `pending fills on ${tokenId} aged out unconfirmed: trade ids ${aged.map((f) => f.tradeId ?? f.key).join(', ')}, net delta ${formatMicros(netDelta)}`,
  };
}

/** A merge expectation no snapshot met within the TTL was dropped. */
export function mergeNotSeenAlert(m: ExpiredMerge): EngineAlert {
  return {
    severity: 'warning', code: 'MERGE_NOT_SEEN', tokenId: m.tokenId,
    message: `merge of ${formatMicros(m.amount)} on ${m.tokenId} sent at ${new Date(m.since).toISOString()} never showed on chain: expectation dropped, a further fall counts as drift`,
  };
}
