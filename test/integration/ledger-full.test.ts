/**
 * Disk full: a real SQLite ledger capped by `maxSizeMb` fills up (SQLITE_FULL) while the App ingests
 * a realistic session on a virtual clock. Quoting must stop at once (halted, LEDGER_FAILED, one
 * critical alert, no BUY admitted), while the engine keeps tracking positions in memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { App } from '../../app/app.ts';
import type { RiskState } from '../../core/bus.ts';
import { VirtualClock } from '../../core/clock.ts';
import { parseConfig } from '../../core/config/load.ts';
import type { AlertRaised, InboundEvent } from '../../core/events.ts';
import { createMemoryLogger } from '../../core/logger.ts';
import { decodeEventLine } from '../../core/tape-codec.ts';
import type { SqliteLedger } from '../../plugins/ledger/sqlite/sqlite-ledger.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { STANDARD_RISK_YAML } from '../support/app-config.ts';
import { sessionTape } from '../support/session-tape.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pq-full-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHARE = 1_000_000n;

describe('a ledger that runs out of space', () => {
  it.each([
    // A group closed by append is posted without waiting; its answer is read by a later append or the
    // next timer tick, whichever comes first on this machine: either is prompt.
    { path: 'a group commit made by append', groupCommit: '{ maxBatch: 200, intervalMs: 60000 }', detectedBy: ['append', 'timer'] },
    // Appends never close a group here; while a timed commit is in flight the test appends nothing, so
    // the failure can only be noticed by the timer (through onFailure), never by a later append.
    { path: 'the timed group commit', groupCommit: '{ maxBatch: 100000, intervalMs: 20 }', detectedBy: ['timer'] },
  ])('halts quoting with LEDGER_FAILED and one critical alert, and keeps applying events in memory, when $path fails', async ({ path: which, groupCommit, detectedBy }) => {
    const session = sessionTape(1500);
    const events: InboundEvent[] = session.lines.map((l) => decodeEventLine(JSON.parse(l) as Record<string, unknown>));
    const config = parseConfig(
      `${STANDARD_RISK_YAML}ledger: { kind: sqlite, path: ./full-${which.length}.sqlite, maxSizeMb: 2, groupCommit: ${groupCommit} }
engine: { checkpointEverySeconds: 3600 }
log: { level: silent }
`,
      new PluginRegistry(),
      { baseDir: dir },
    );
    const clock = new VirtualClock(events[0]!.at);
    const mem = createMemoryLogger('debug');
    const app = App.create(config, { clock, logger: mem.logger });
    const alerts: AlertRaised[] = [];
    let risk: RiskState | undefined;
    app.bus.alerts$.subscribe((a) => alerts.push(a));
    app.bus.riskDecision$.subscribe((r) => (risk = r));
    await app.start();
    const ledger = app.ledger as SqliteLedger;
    try {
      let i = 0;
      let detected: string | undefined;
      for (; i < events.length && !app.engine.ledgerFailure; i++) {
        const e = events[i]!;
        if (e.at > clock.now()) clock.advanceTo(e.at);
        if (detectedBy.length === 1) {
          // Wait, appending nothing, until the timed commit in flight is answered (the next ticks read it).
          for (let spins = 0; ledger.committing && !app.engine.ledgerFailure && spins < 5000; spins++) {
            await new Promise((r) => setTimeout(r, 1));
            clock.advanceBy(20);
          }
          expect(ledger.committing && !app.engine.ledgerFailure, 'a timed commit never answered').toBe(false);
        }
        // A failed timed commit must be noticed at once (through onFailure), not at the next append.
        if (app.engine.ledgerFailure) {
          detected = 'timer';
          break;
        }
        app.engine.ingest(e);
        if (app.engine.ledgerFailure) detected = 'append';
      }
      const failedAt = i;
      // The cap is reached after a few thousand events, not at once and not never.
      expect(app.engine.ledgerFailure, 'the ledger never filled').toBeDefined();
      expect(failedAt).toBeGreaterThan(1000);
      expect(failedAt).toBeLessThan(events.length - 500);
      expect(app.engine.ledgerFailure!.message).toContain('SQLITE_FULL');
      expect(detectedBy).toContain(detected);

      const halted = () => {
        expect(risk!.global.mode).toBe('halted');
        expect(risk!.global.reasons).toContain('LEDGER_FAILED');
        expect(risk!.global.allowedSides).toEqual([]);
        expect(app.engine.risk.global.mode).toBe('halted');
        for (const t of session.tokens) expect(app.engine.canBuy(t, SHARE)).toBe(false);
      };
      halted();
      const ledgerAlerts = () => alerts.filter((a) => a.code === 'LEDGER_FAILED');
      expect(ledgerAlerts()).toHaveLength(1);
      expect(ledgerAlerts()[0]!.severity).toBe('critical');
      expect(ledgerAlerts()[0]!.message).toContain('SQLITE_FULL');

      // Later events are still applied in memory, without throwing.
      const token = session.tokens[0]!;
      const before = app.engine.position(token);
      const applyRest = () => {
        for (; i < events.length; i++) {
          const e = events[i]!;
          if (e.at > clock.now()) clock.advanceTo(e.at);
          app.engine.ingest(e);
        }
      };
      expect(applyRest).not.toThrow();
      const seqBefore = app.engine.lastSeq;
      app.engine.ingest({ type: 'fill', at: clock.now(), tradeId: 'after-full', tokenId: token, side: 'BUY', size: 4n * SHARE, price: 500_000n, status: 'MATCHED' });
      expect(app.engine.lastSeq).toBe(seqBefore + 1);
      const after = app.engine.position(token);
      expect(after.pendingFills.map((f) => f.tradeId)).toContain('after-full');
      expect(after.pendingBuys).toBeGreaterThanOrEqual(4n * SHARE);
      expect(after.confirmed).not.toBe(before.confirmed); // the session's final snapshots were applied
      // Checkpoint timers fire on the virtual clock; they must not throw or un-halt.
      expect(() => clock.advanceBy(5 * 60_000)).not.toThrow();
      halted();
      expect(ledgerAlerts()).toHaveLength(1);
    } finally {
      await app.dispose();
    }
  });
});
