/**
 * Fuzz (seeded, bounded): random valid event sequences fed to the live engine with a SQLite ledger
 * and periodic checkpoints, killed at a random event (no checkpoint on the way out), restarted on
 * the same ledger. The recovered state — positions, pending fills, reservations, PnL, fill counters —
 * must be the state an uninterrupted run holds at that event, and stay equal while their timers
 * (age-outs) run on.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Micros } from '../../core/amounts.ts';
import type { App } from '../../app/app.ts';
import type { FillStatus, InboundEvent, Side } from '../../core/events.ts';
import { stateLine } from '../../core/engine/report.ts';
import { configOf, sqliteConfig, startOn, tempDir } from './support.ts';

const { dir, cleanup } = tempDir('pq-harden-fuzz-rec-');
afterAll(cleanup);
const T0 = Date.UTC(2026, 0, 1);
const TOKENS = ['7', '8'];
const u = (n: number): Micros => BigInt(n) * 10_000n;

type Step =
  | { k: 'fill'; token: number; side: Side; size: number; price: number; trade: number; order: number | null; status: FillStatus }
  | { k: 'submit'; token: number; side: Side; size: number; order: number }
  | { k: 'order'; order: number; status: 'LIVE' | 'MATCHED' | 'CANCELED'; matched: number }
  | { k: 'snapshot'; balances: [number, number] }
  | { k: 'book'; token: number; mid: number }
  | { k: 'wait'; seconds: number }
  | { k: 'checkpoint' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('fill' as const), token: fc.nat(1), side: fc.constantFrom<Side>('BUY', 'SELL'), size: fc.integer({ min: 1, max: 2000 }), price: fc.integer({ min: 1, max: 99 }), trade: fc.nat(12), order: fc.option(fc.nat(4), { nil: null }), status: fc.constantFrom<FillStatus>('MATCHED', 'MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED') }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('submit' as const), token: fc.nat(1), side: fc.constantFrom<Side>('BUY', 'SELL'), size: fc.integer({ min: 1, max: 3000 }), order: fc.nat(4) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('order' as const), order: fc.nat(4), status: fc.constantFrom('LIVE' as const, 'MATCHED' as const, 'CANCELED' as const), matched: fc.nat(3000) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('snapshot' as const), balances: fc.tuple(fc.nat(20_000), fc.nat(20_000)) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('book' as const), token: fc.nat(1), mid: fc.integer({ min: 2, max: 98 }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('wait' as const), seconds: fc.integer({ min: 1, max: 90 }) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'checkpoint' as const }) },
);

/** The steps as timed events (a checkpoint is a marker, not an event). */
function toEvents(steps: Step[]): (InboundEvent | 'checkpoint')[] {
  let t = T0;
  const out: (InboundEvent | 'checkpoint')[] = [];
  for (const s of steps) {
    t += 100;
    switch (s.k) {
      case 'fill':
        out.push({ type: 'fill', at: t, tradeId: `t${s.trade}`, ...(s.order !== null && { orderId: `o${s.order}` }), tokenId: TOKENS[s.token]!, side: s.side, size: u(s.size), price: u(s.price), status: s.status });
        break;
      case 'submit':
        out.push({ type: 'submit', at: t, orderId: `o${s.order}`, tokenId: TOKENS[s.token]!, side: s.side, size: u(s.size), price: u(50) });
        break;
      case 'order':
        out.push({ type: 'order', at: t, orderId: `o${s.order}`, status: s.status, sizeMatched: u(s.matched) });
        break;
      case 'snapshot':
        out.push({ type: 'balance', at: t, source: 'chain', balances: new Map(TOKENS.map((k, i) => [k, u(s.balances[i]!)])) });
        break;
      case 'book':
        out.push({ type: 'book', at: t, tokenId: TOKENS[s.token]!, bids: [[u(s.mid - 1), u(100)]], asks: [[u(s.mid + 1), u(100)]] });
        break;
      case 'wait':
        t += s.seconds * 1000;
        out.push({ type: 'source_error', at: t, source: 'chain', error: 'slow' });
        break;
      case 'checkpoint':
        out.push('checkpoint');
    }
  }
  return out;
}

function run(app: App, clock: { now(): number; advanceTo(t: number): void }, items: readonly (InboundEvent | 'checkpoint')[]): void {
  for (const e of items) {
    if (e === 'checkpoint') {
      app.checkpoint();
      continue;
    }
    if (e.at > clock.now()) clock.advanceTo(e.at);
    app.engine.ingest(e);
  }
}

/** What recovery must restore: positions with pending fills and PnL, reservations, fill counters. */
function state(app: App, at: number) {
  const l = stateLine(app.engine, at);
  return { positions: l.positions, fills: l.fills };
}

let n = 0;
describe('fuzz: crash recovery', () => {
  it('a run killed at a random event and restarted holds the state of an uninterrupted run, PnL included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 2, maxLength: 60 }), fc.nat(), async (steps, cut) => {
        const items = toEvents(steps);
        const k = 1 + (cut % items.length);
        const yaml = (name: string) => sqliteConfig(dir, name, 'engine: { checkpointEverySeconds: 45 }\n').yaml.replace('engine: { checkpointEverySeconds: 30 }\n', '');
        const name = `r${n++}`;
        const cfg = configOf(yaml(name), dir);
        // The uninterrupted run, observed at the kill point and again later.
        const clean = await startOn(configOf(yaml(`${name}-clean`), dir), T0);
        run(clean.app, clean.clock, items.slice(0, k));
        const at = clean.clock.now();
        const want = state(clean.app, at);
        // The killed run: everything up to the kill point committed, no checkpoint on the way out.
        const a = await startOn(cfg, T0);
        run(a.app, a.clock, items.slice(0, k));
        a.app.ledger.flush();
        (a.app as unknown as { ready: boolean }).ready = false;
        await a.app.dispose();
        const b = await startOn(cfg, T0);
        expect(b.clock.now()).toBe(at);
        expect(state(b.app, at)).toEqual(want);
        // Timers armed before the kill (age-outs) fire alike in both.
        clean.clock.advanceTo(at + 200_000);
        b.clock.advanceTo(at + 200_000);
        expect(state(b.app, at + 200_000)).toEqual(state(clean.app, at + 200_000));
        await b.app.dispose();
        await clean.app.dispose();
      }),
      { seed: 20261201, numRuns: 40 },
    );
  }, 120_000);
});
