/**
 * The bot's configuration for a chaos run: explicit endpoints of a simulator started as its own
 * process (no `simulator:` block), the private key through the environment, a sqlite ledger in the
 * run's directory. Pure: returns YAML text.
 */
import { stringify } from 'yaml';
import { POLYGON_CTF, POLYGON_PUSD } from '../sim/chain/deploy.ts';

/** What `polyquote sim` prints (the fields the chaos suite uses). */
export interface SimEndpoints {
  readonly clobUrl: string;
  readonly userWsUrl: string;
  readonly marketWsUrl: string;
  readonly dataApiUrl: string;
  readonly rpcUrl: string;
  readonly controlUrl: string;
  readonly markets: readonly { conditionId: string; tokens: readonly [string, string] }[];
  readonly accounts: readonly { address: string; privateKey: string }[];
}

export interface BotConfigOptions {
  readonly ledgerPath: string;
  /** Per-token limit on conservative exposure, shares (the dev account starts with 1000 of each outcome). */
  readonly maxPositionShares: number;
  readonly sizeShares: number;
  readonly pendingFillTtlSeconds: number;
  /** Extra top-level blocks (alerts, metrics, statusPage …) merged over the defaults. */
  readonly extra?: Record<string, unknown>;
  readonly logLevel?: string;
  /** false: no strategy (an observer that tracks positions and never quotes). */
  readonly trading?: boolean;
}

export const PRIVATE_KEY_ENV = 'POLYQUOTE_PRIVATE_KEY';

export function botConfig(sim: SimEndpoints, o: BotConfigOptions): string {
  const markets = sim.markets.map((m) => m.conditionId);
  const doc: Record<string, unknown> = {
    identity: { funder: sim.accounts[0]!.address },
    engine: { dedupWindowSeconds: 86400, checkpointEverySeconds: 5, sizeMatchedGraceSeconds: 5, venueReconcileSeconds: 10 },
    venue: {
      kind: 'polymarket', clobUrl: sim.clobUrl, userWsUrl: sim.userWsUrl, marketWsUrl: sim.marketWsUrl, chainId: 137,
      privateKeyEnv: PRIVATE_KEY_ENV, signatureType: 0, markets, heartbeatSeconds: 5,
    },
    positionSource: {
      kind: 'fallback',
      sources: [
        { kind: 'chain', rpcUrl: sim.rpcUrl, chainId: 137, contract: POLYGON_CTF, collateral: POLYGON_PUSD, batch: 'balanceOfBatch', intervalSeconds: 2, timeoutSeconds: 5 },
        { kind: 'rest', url: sim.dataApiUrl, intervalSeconds: 3 },
      ],
    },
    reconciler: { kind: 'oldest-first', pendingFillTtlSeconds: o.pendingFillTtlSeconds, toleranceShares: 0.01 },
    risk: {
      policies: [
        { kind: 'conservative-limits', maxPositionShares: o.maxPositionShares },
        { kind: 'degrade', thresholdShares: 60, forSeconds: 20, sizeMultiplier: 0.5, extraTicks: 1 },
        { kind: 'hard-halt', sourceUnavailableSeconds: 60 },
      ],
    },
    ...(o.trading !== false && { strategy: { kind: 'active-quoting', markets, sizeShares: o.sizeShares, anchor: 'best', offsetTicks: 1 } }),
    alerts: [{ kind: 'log', minSeverity: 'warning' }],
    ledger: { kind: 'sqlite', path: o.ledgerPath, groupCommit: { maxBatch: 1000, intervalMs: 20 } },
    log: { level: o.logLevel ?? 'info' },
    ...o.extra,
  };
  return stringify(doc);
}
