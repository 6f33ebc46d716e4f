/**
 * The chaos suite's CI version: one seed, one SIGKILL, the real bot against the simulator (both child
 * processes) with every fault on; asserts the invariants from the ground truth. About 60–90 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chaosPlan } from '../../chaos/plan.ts';
import { runSeed } from '../../chaos/scenario.ts';

const SEED = Number(process.env.POLYQUOTE_CHAOS_SEED ?? 4242);

describe('chaos (short): faults on, the bot killed with SIGKILL and restarted on its ledger', () => {
  it(`keeps every invariant (seed ${SEED})`, { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'polyquote-chaos-ci-'));
    const plan = chaosPlan(SEED, { kills: 1, runSeconds: [10, 14], finalSeconds: 8 });
    const r = await runSeed(plan, { dir, maxPositionShares: 1100, sizeShares: 20, pendingFillTtlSeconds: 30, convergeTimeoutSeconds: 60, liveWindowSeconds: 8 });
    process.stdout.write(`chaos seed ${SEED}: ${JSON.stringify({ ...r, details: undefined })}\n`);
    const repeat = `repeat: POLYQUOTE_CHAOS_SEED=${SEED} npx vitest run test/chaos/chaos.test.ts (files kept in ${dir})`;
    expect(r.failures, repeat).toEqual([]);
    expect(r.ourOrders, 'the bot traded').toBeGreaterThan(0);
    expect(r.restarts).toBeGreaterThanOrEqual(2); // the kill's restart, then the observer
    expect(r.limitBreaches).toBe(0);
    expect(r.fillsLost).toBe(0);
    expect(r.fillsCountedTwice).toBe(0);
    expect(r.duplicateOrders).toBe(0);
    expect(r.convergenceSeconds).not.toBeNull();
    expect(r.convergenceSeconds!).toBeLessThanOrEqual(60);
    rmSync(dir, { recursive: true, force: true });
  });
});
