/** Config text the App-level tests share (harden, integration, recovery). */

/** The reconciler, risk policies and alert sink those tests run the engine with, as YAML lines. */
export const STANDARD_RISK_YAML = `
reconciler: { kind: oldest-first, pendingFillTtlSeconds: 120 }
risk:
  policies:
    - { kind: conservative-limits, maxPositionShares: 100000 }
    - { kind: degrade, thresholdShares: 25, forSeconds: 30 }
    - { kind: hard-halt, sourceUnavailableSeconds: 300 }
alerts: [ { kind: log } ]
`;
