/**
 * Restart from a real SQLite ledger: the latest checkpoint plus the tail since it rebuild pending
 * fills, reservations and risk timers; nothing is quoted until a fresh snapshot was force-reconciled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../app/app.ts';
import { VirtualClock } from '../../core/clock.ts';
import { parseConfig } from '../../core/config/load.ts';
import { stateLine } from '../../core/engine/report.ts';
import type { AlertRaised, InboundEvent } from '../../core/events.ts';
import { createLogger } from '../../core/logger.ts';
import { PluginRegistry } from '../../plugins/registry.ts';

const YES = '1001';
const NO = '1002';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const M = 1_000_000n;
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function build(clock: VirtualClock) {
  const config = parseConfig(`
reconciler: { kind: oldest-first, pendingFillTtlSeconds: 120 }
risk:
  policies:
    - { kind: conservative-limits, maxPositionShares: 500 }
    - { kind: degrade, thresholdShares: 25, forSeconds: 30 }
    - { kind: hard-halt, sourceUnavailableSeconds: 300 }
alerts: []
ledger: { kind: sqlite, path: ./ledger.sqlite }
engine: { checkpointEverySeconds: 3600 }
`, new PluginRegistry(), { baseDir: dir });
  return App.create(config, { clock, withoutSources: true, logger: createLogger({ level: 'silent' }) });
}

const events: InboundEvent[] = [
  { type: 'balance', at: T0 + 1000, source: 'chain', balances: new Map([[YES, 100n * M], [NO, 0n]]), block: 10n },
  { type: 'submit', at: T0 + 2000, orderId: 'o1', tokenId: YES, side: 'BUY', price: 500_000n, size: 40n * M },
  { type: 'fill', at: T0 + 3000, tradeId: 't1', orderId: 'o1', tokenId: YES, side: 'BUY', size: 25n * M, price: 500_000n, status: 'MATCHED' },
  { type: 'fill', at: T0 + 4000, tradeId: 't2', tokenId: NO, side: 'BUY', size: 60n * M, price: 400_000n, status: 'MATCHED' },
  // After the checkpoint below: the tail.
  { type: 'balance', at: T0 + 5000, source: 'chain', balances: new Map([[YES, 110n * M], [NO, 0n]]), block: 12n },
  { type: 'fill', at: T0 + 6000, tradeId: 't3', orderId: 'o1', tokenId: YES, side: 'BUY', size: 5n * M, price: 500_000n, status: 'MATCHED' },
];

describe('restart from the ledger', () => {
  it('rebuilds pending fills, reservations and drift timers from the checkpoint plus the tail', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pq-restart-'));
    const clock1 = new VirtualClock(T0);
    const first = build(clock1);
    await first.start();
    events.slice(0, 4).forEach((e) => (clock1.advanceTo(e.at), first.engine.ingest(e)));
    first.checkpoint();
    events.slice(4).forEach((e) => (clock1.advanceTo(e.at), first.engine.ingest(e)));
    const before = stateLine(first.engine, clock1.now());
    // A crash: the ledger is flushed by its group commit, but no final checkpoint is written.
    first.ledger.flush();
    first.ledger.close();

    const clock2 = new VirtualClock(T0);
    const second = build(clock2);
    const requests: string[] = [];
    second.bus.snapshotRequests$.subscribe((r) => requests.push(r));
    await second.start();
    expect(second.recovery).toMatchObject({ fromCheckpointSeq: 4, replayed: 2, lastSeq: 6 });
    const after = stateLine(second.engine, clock2.now());
    expect(after.positions).toEqual(before.positions);
    expect(second.engine.position(YES)).toMatchObject({ confirmed: 110n * M, pendingBuys: 20n * M, pendingOrderBuys: 10n * M });

    // Nothing is quoted until the fresh snapshot arrives, and it is a force reconcile.
    expect(second.engine.risk.global).toMatchObject({ mode: 'halted', reasons: ['AWAITING_SNAPSHOT'] });
    expect(second.engine.canBuy(YES, 1n * M)).toBe(false);
    expect(requests).toEqual(['restart: reconcile before quoting']);
    // The drift timer on NO (60 pending since +4 s) survived the restart: degraded at +34 s.
    const alerts: AlertRaised[] = [];
    second.bus.alerts$.subscribe((a) => alerts.push(a));
    clock2.advanceTo(T0 + 35_000);
    expect(second.engine.risk.decisionFor(NO)).toMatchObject({ mode: 'halted' });
    expect(second.engine.risk.decisionFor(NO).reasons).toEqual(['AWAITING_SNAPSHOT', 'DRIFT']);
    second.engine.ingest({ type: 'balance', at: T0 + 35_000, source: 'chain', balances: new Map([[YES, 130n * M], [NO, 60n * M]]), block: 20n });
    expect(second.engine.risk.global.mode).toBe('normal');
    expect(second.engine.position(YES)).toMatchObject({ confirmed: 130n * M, pendingBuys: 0n, effective: 130n * M });
    expect(second.engine.position(NO)).toMatchObject({ confirmed: 60n * M, pendingBuys: 0n });
    expect(second.engine.risk.decisionFor(NO).mode).toBe('normal');
    expect(alerts.map((a) => a.code)).toContain('RISK_RECOVERED');
    await second.dispose();
  });

  it('never applies twice a fill the feed re-sends after the restart', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pq-restart-'));
    const clock1 = new VirtualClock(T0);
    const first = build(clock1);
    await first.start();
    events.forEach((e) => (clock1.advanceTo(e.at), first.engine.ingest(e)));
    await first.dispose();

    const clock2 = new VirtualClock(T0);
    const second = build(clock2);
    await second.start();
    const effective = second.engine.position(YES).effective;
    clock2.advanceTo(T0 + 7000);
    second.engine.ingest({ ...(events[2] as Extract<InboundEvent, { type: 'fill' }>), at: T0 + 7000, status: 'MINED' });
    second.engine.ingest({ ...(events[5] as Extract<InboundEvent, { type: 'fill' }>), at: T0 + 7000, status: 'CONFIRMED' });
    expect(second.engine.position(YES).effective).toBe(effective);
    expect(second.engine.inventory.counters.added).toBe(3);
    await second.dispose();
  });
});
