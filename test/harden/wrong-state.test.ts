/**
 * Wrong-state defects, through App and the replay/ingest commands: age-out timers, FAILED SELL after
 * a restart, fill keys, exports that replay, exact numbers, canonical token ids, source authority,
 * strict times, range checks, the clock after a restart, and events the ledger would refuse.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config/load.ts';
import type { AlertRaised } from '../../core/events.ts';
import { ingestTape } from '../../app/replay/ingest.ts';
import { replayTape } from '../../app/replay/replay.ts';
import type { StateLine } from '../../core/engine/report.ts';
import { ledgerCommand } from '../../cli/ledger-commands.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { configYaml, sh, startApp, START, YES, type Harness } from '../core/harness.ts';
import { configOf, sqliteConfig, sql, startOn, tempDir } from './support.ts';

const { dir, cleanup } = tempDir('pq-harden-state-');
afterAll(cleanup);
const iso = (ms: number) => new Date(START + ms).toISOString();
const line = (ms: number, o: Record<string, unknown>) => JSON.stringify({ at: iso(ms), ...o });

async function replay(lines: string[], yaml = configYaml()) {
  const out: StateLine[] = [];
  const alerts: AlertRaised[] = [];
  await replayTape({ config: parseConfig(yaml, new PluginRegistry()), lines, output: (l) => out.push(l), onApp: (app) => app.bus.alerts$.subscribe((a) => alerts.push(a)) });
  return { out, last: out.at(-1)!, alerts };
}

const replayError = (lines: string[], yaml?: string) => replay(lines, yaml).then(() => 'accepted', (e: Error) => e.message);

let h: Harness | undefined;
afterAll(async () => h?.dispose());

describe('age-out', () => {
  it('ages a later fill out at its own TTL after an earlier one was confirmed before its TTL', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 0 });
    h.fill({ tradeId: 'a', side: 'BUY', size: 10 });
    h.advance(10_000);
    h.snapshot({ [YES]: 10 }); // confirms a: its timer (at 120 s) is left behind
    h.advance(40_000);
    h.fill({ tradeId: 'b', side: 'BUY', size: 5 });
    h.advance(80_000); // a's old timer fires at 120 s: nothing to age yet
    expect(h.keys()).toEqual(['b']);
    h.advance(45_000); // 175 s > 50 s + 120 s: b ages out
    expect(h.keys()).toEqual([]);
    expect(h.alerts.map((a) => a.code)).toContain('PENDING_AGED_OUT');
    await h.dispose();
    h = undefined;
  });
});

describe('a FAILED SELL after a restart', () => {
  it('undoes exactly the realized PnL the sell booked, as an uninterrupted run does', async () => {
    const tok = '7';
    const ev = (ms: number, o: Record<string, unknown>) => ({ at: START + ms, ...o }) as never;
    const events = [
      ev(0, { type: 'balance', source: 'chain', balances: new Map([[tok, sh(0)]]) }),
      ev(1000, { type: 'fill', tradeId: 'b1', tokenId: tok, side: 'BUY', size: sh(10), price: sh('0.4'), status: 'MATCHED' }),
      ev(2000, { type: 'fill', tradeId: 's1', tokenId: tok, side: 'SELL', size: sh(5), price: sh('0.8'), status: 'MATCHED' }),
    ];
    const failed = ev(3000, { type: 'fill', tradeId: 's1', tokenId: tok, side: 'SELL', size: sh(5), price: sh('0.8'), status: 'FAILED' });
    const clean = await startOn(configOf(sqliteConfig(dir, 'pnl-clean').yaml, dir), START);
    for (const e of [...events, failed]) clean.app.engine.ingest(e);
    const want = clean.app.engine.pnl.view(tok);
    expect(want.realized).toBe(0n);
    await clean.app.dispose();

    const c = sqliteConfig(dir, 'pnl-restart');
    const a = await startOn(configOf(c.yaml, dir), START);
    for (const e of events) a.app.engine.ingest(e);
    expect(a.app.engine.pnl.view(tok).realized).toBe(sh(2));
    await a.app.dispose(); // checkpoint at the last record
    const b = await startOn(configOf(c.yaml, dir), START);
    b.app.engine.ingest(failed);
    expect(b.app.engine.pnl.view(tok)).toEqual(want);
    await b.app.dispose();
  });
});

describe('fill keys', () => {
  const tok = YES;
  const base = [line(0, { kind: 'balance', source: 'chain', balances: { [tok]: '0' } })];
  const fill = (ms: number, o: Record<string, unknown>) => line(ms, { kind: 'fill', tokenId: tok, side: 'BUY', size: '10', price: '0.5', ...o });

  it('counts a trade reported with its order id and again without it once (either order)', async () => {
    const a = await replay([...base, fill(1, { tradeId: 't1', orderId: 'o1' }), fill(2, { tradeId: 't1', status: 'MINED' })]);
    expect(a.last.fills).toMatchObject({ added: 1, 'status-updated': 1 });
    const b = await replay([...base, fill(1, { tradeId: 't1' }), fill(2, { tradeId: 't1', orderId: 'o1', status: 'MINED' })]);
    expect(b.last.fills).toMatchObject({ added: 1, 'status-updated': 1 });
    expect((b.last.positions[tok] as { effective: number }).effective).toBe(10);
  });

  it('never takes a trade id containing the separator for another trade', async () => {
    const r = await replay([...base, fill(1, { tradeId: 't1', orderId: '0xo1' }), fill(2, { tradeId: 't1:0xo1' })]);
    expect(r.last.fills).toMatchObject({ added: 2 });
    expect((r.last.positions[tok] as { effective: number }).effective).toBe(20);
  });

  it('treats an empty trade id as none (a synthesized key), not as a bad line', async () => {
    const r = await replay([...base, fill(1, { tradeId: '' }), fill(1, { tradeId: '' })]);
    expect(r.last.fills).toMatchObject({ added: 2 });
  });

  it('recognises id-less fills re-sent in ingest overlap after a restart, and the export of the ledger replays', async () => {
    const lines = [
      ...base,
      fill(1000, {}), fill(1000, {}), fill(1500, { orderId: 'o9' }),
      line(2000, { kind: 'gap', channel: 'market', reason: 'r' }),
      fill(2500, { tradeId: 'tx' }),
    ];
    const c = sqliteConfig(dir, 'idless');
    const run = async (n: number) => {
      const out: StateLine[] = [];
      const s = await ingestTape({ config: configOf(c.yaml, dir), lines: lines.slice(0, n), output: (l) => out.push(l) });
      return { s, last: out.at(-1)! };
    };
    await run(5); // "killed" after the gap line
    const resumed = await run(lines.length);
    expect(resumed.s.resent).toBe(3);
    expect(resumed.last.fills).toMatchObject({ added: 4 });
    expect((resumed.last.positions[tok] as { effective: number }).effective).toBe(40);
    const tape = path.join(dir, 'idless-export.jsonl');
    expect(await ledgerCommand(['export', '--config', c.file, '--tape', tape], new PluginRegistry())).toBe(0);
    const exported = readFileSync(tape, 'utf8').trim().split('\n');
    const r = await replay(exported);
    expect(r.last.positions).toEqual(resumed.last.positions);
  });

  it('accepts in ingest, as replay does, a tape of only advance and query lines', async () => {
    const c = sqliteConfig(dir, 'no-events');
    const lines = [line(0, { kind: 'advance' }), line(5, { kind: 'query' })];
    const out: StateLine[] = [];
    await expect(ingestTape({ config: configOf(c.yaml, dir), lines, output: (l) => out.push(l) })).resolves.toMatchObject({ ingested: 0 });
    expect(out[0]).toEqual((await replay(lines)).out[0]);
  });

  it('refuses in ingest, as replay does, a tape whose at goes backwards', async () => {
    const c = sqliteConfig(dir, 'backwards');
    const lines = [...base, fill(2000, { tradeId: 'a' }), fill(1000, { tradeId: 'b' })];
    await expect(ingestTape({ config: configOf(c.yaml, dir), lines, output: () => undefined })).rejects.toThrow(/tape line 3: at .* is earlier/);
    expect(await replayError(lines)).toMatch(/tape line 3: at .* is earlier/);
  });
});

describe('values where they enter', () => {
  const bal = (o: Record<string, unknown>) => line(0, { kind: 'balance', source: 'chain', balances: { [YES]: '0' }, ...o });
  const cases: [string, string, RegExp][] = [
    ['a JSON number a double rounds', line(0, { kind: 'balance', source: 'chain', balances: { [YES]: 123456789012.123456 } }), /tape line 1: .*15 significant digits.*balances\./],
    ['an integer above 2^53', line(0, { kind: 'balance', source: 'chain', balances: { [YES]: 9007199254740993 } }), /tape line 1: .*significant digits/],
    ['token id 007', line(0, { kind: 'balance', source: 'chain', balances: { '007': '1' } }), /tape line 1: .*canonical decimal uint256/],
    ['token id 2^256', line(0, { kind: 'book', tokenId: (1n << 256n).toString(), bids: [], asks: [] }), /tape line 1: .*canonical decimal uint256/],
    ['a time without a zone', JSON.stringify({ at: '2026-01-01T00:00:04', kind: 'advance' }), /tape line 1: .*no zone/],
    ['an impossible date', JSON.stringify({ at: '2026-02-30T00:00:00Z', kind: 'advance' }), /tape line 1: .*does not exist/],
    ['an at beyond the Date range', JSON.stringify({ at: 1e300, kind: 'advance' }), /tape line 1: .*epoch milliseconds/],
    ['price 1.5', line(0, { kind: 'fill', tradeId: 'x', tokenId: YES, side: 'BUY', size: '1', price: '1.5' }), /tape line 1: .*price between 0 and 1/],
    ['price 100', line(0, { kind: 'submit', orderId: 'o', tokenId: YES, side: 'BUY', size: '1', price: 100 }), /tape line 1: .*price between 0 and 1/],
    ['a negative query size', line(0, { kind: 'query', tokenId: YES, canBuy: '-1' }), /tape line 1: .*non-negative/],
    ['block 2^64', bal({ block: (1n << 64n).toString() }), /tape line 1: .*block number/],
    ['a 50 MB size field', line(0, { kind: 'fill', tradeId: 'x', tokenId: YES, side: 'BUY', size: '9'.repeat(100_000), price: '0.5' }), /tape line 1: .*at most 64 characters/],
  ];
  it.each(cases)('refuses %s with its line number', async (_name, text, want) => {
    expect(await replayError([text])).toMatch(want);
  });

  it('refuses non-canonical token ids and 7-decimal share limits in config', () => {
    const reg = new PluginRegistry();
    expect(() => parseConfig('tokens: ["007"]', reg)).toThrow(/tokens\.0: expected a canonical/);
    expect(() => parseConfig(`risk: { policies: [ { kind: conservative-limits, maxPositionShares: 1.1234567 } ] }`, reg)).toThrow(/maxPositionShares: expected at most 6 decimals/);
  });
});

describe('authority follows the configured source order', () => {
  it('a REST snapshot while the chain is primary is a fallback: degraded, not resetting the hard-halt clock', async () => {
    const yaml = `${configYaml({ policies: '    - { kind: hard-halt, sourceUnavailableSeconds: 300 }' })}\npositionSource: { kind: chain, rpcUrl: "http://127.0.0.1:1", funder: "0x${'1'.repeat(40)}" }`;
    const r = await replay([
      line(0, { kind: 'balance', source: 'chain', balances: { [YES]: '0' } }),
      line(200_000, { kind: 'balance', source: 'rest', balances: { [YES]: '0' } }),
      line(301_000, { kind: 'query' }),
    ], yaml);
    expect(r.alerts.map((a) => a.code)).toContain('SOURCE_FALLBACK');
    expect(r.out[0]!.risk).toMatchObject({ mode: 'halted', reasons: expect.arrayContaining(['SOURCE_UNAVAILABLE']) });
  });
});

describe('after a restart', () => {
  it('with no records past the checkpoint, the clock resumes at the checkpoint, and the next checkpoint is not older than the last record', async () => {
    const c = sqliteConfig(dir, 'clock');
    const lines = [line(0, { kind: 'balance', source: 'chain', balances: { [YES]: '0' } }), line(500_000, { kind: 'advance' }), line(600_000, { kind: 'gap', channel: 'market' })];
    const cfg = configOf(c.yaml, dir);
    await ingestTape({ config: cfg, lines, output: () => undefined });
    const s = await ingestTape({ config: cfg, lines, output: () => undefined });
    expect(s).toMatchObject({ skipped: 2, ingested: 0 });
    const { cp, last } = sql(c.ledger, (db) => ({
      cp: (db.prepare('SELECT max(at) AS at FROM checkpoints').get() as { at: number }).at,
      last: (db.prepare('SELECT max(at) AS at FROM events').get() as { at: number }).at,
    }));
    expect(cp).toBeGreaterThanOrEqual(last);
  });

  it('an event whose time the ledger would refuse is rejected with an alert, not a ledger failure', async () => {
    h = await startApp();
    expect(h.engine.ingest({ type: 'gap', at: 1.5, channel: 'user' })).toBe(0);
    expect(h.engine.ingest({ type: 'gap', at: 9e15, channel: 'user' })).toBe(0);
    expect(h.engine.ledgerFailure).toBeUndefined();
    expect(h.alerts.filter((a) => a.code === 'EVENT_REJECTED')).toHaveLength(2);
    expect(h.engine.risk.global.reasons).not.toContain('LEDGER_FAILED');
    await h.dispose();
    h = undefined;
  });
});

void writeFileSync;

describe('memory follows open state', () => {
  it('a checkpoint after thousands of settled fills holds no history, and a re-sent old fill is still recognised after a restart', async () => {
    const c = sqliteConfig(dir, 'bounded');
    const a = await startOn(configOf(c.yaml, dir), START);
    const tok = '9';
    let t = START;
    a.app.engine.ingest({ type: 'balance', at: t, source: 'chain', balances: new Map([[tok, 0n]]) });
    for (let i = 0; i < 2000; i++) {
      t += 10;
      a.clock.advanceTo(t);
      a.app.engine.ingest({ type: 'fill', at: t, tradeId: `t${i}`, orderId: `o${i}`, tokenId: tok, side: 'BUY', size: sh(1), price: sh('0.5'), status: 'MATCHED' });
    }
    t += 10;
    a.clock.advanceTo(t);
    a.app.engine.ingest({ type: 'balance', at: t, source: 'chain', balances: new Map([[tok, sh(2000)]]) }); // all confirmed
    await a.app.dispose();
    const state = sql(c.ledger, (db) => JSON.parse((db.prepare('SELECT state FROM checkpoints ORDER BY seq DESC LIMIT 1').get() as { state: string }).state));
    expect(state.parts.inventory.seen).toEqual([]);
    expect(state.parts.orders.fillMatched).toEqual([]);
    expect(JSON.stringify(state).length).toBeLessThan(5_000);
    const b = await startOn(configOf(c.yaml, dir), START);
    b.app.engine.ingest({ type: 'fill', at: t + 10, tradeId: 't5', orderId: 'o5', tokenId: tok, side: 'BUY', size: sh(1), price: sh('0.5'), status: 'CONFIRMED' });
    expect(b.app.engine.inventory.counters.duplicate).toBe(1);
    expect(b.app.engine.position(tok).pendingBuys).toBe(0n);
    await b.app.dispose();
  });
});
