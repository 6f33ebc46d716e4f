/**
 * `polyquote ingest` of a tape that mixes raw venue frames (user_ws, market_ws) with event lines,
 * through the real CLI and a real SQLite ledger: the frames are parsed as `replay` parses them (the
 * same output), bad frames are the same line-numbered errors, and a restart resumes exactly, at a
 * line boundary and inside a frame that stood for several events.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDARD_RISK_YAML } from '../support/app-config.ts';
import { fixture as fx } from '../venue/polymarket/feeds/fixtures.ts';
import { runCli, type CliResult } from './cli.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pq-ingest-frames-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const T0 = Date.UTC(2026, 0, 1);
const tradeMsg = fx('ws_user_trade_msg.json');
const OUR_ORDER = tradeMsg.taker_order_id as string;
const OTHER_KEY = '00000000-0000-0000-0000-000000000009';
const trade = (id: string, size: string, over: Record<string, unknown> = {}) => ({ ...tradeMsg, id, size, ...over });

/** Line numbers are 1-based: line 4 is a user_ws frame standing for three fills. */
const LINES: object[] = [
  { at: T0, kind: 'balance', source: 'chain', balances: { [TOKEN]: '0' }, block: '1' },
  { at: T0 + 1000, kind: 'submit', orderId: OUR_ORDER, tokenId: TOKEN, side: 'BUY', price: '0.5', size: '100' },
  { at: T0 + 2000, kind: 'market_ws', frame: fx('ws_market_book_msg.json') },
  { at: T0 + 3000, kind: 'user_ws', frame: [trade('t1', '10.0'), trade('t2', '15.0'), trade('t3', '5.0')] },
  { at: T0 + 4000, kind: 'market_ws', frame: fx('ws_market_price_change_msg.json') },
  { at: T0 + 5000, kind: 'user_ws', frame: trade('foreign', '7.0', { taker_order_id: `0x${'ab'.repeat(32)}`, maker_address: `0x${'cd'.repeat(20)}`, owner: OTHER_KEY, trade_owner: OTHER_KEY }) },
  { at: T0 + 6000, kind: 'query', tokenId: TOKEN, canBuy: '10' },
  { at: T0 + 7000, kind: 'user_ws', frame: [trade('t4', '20.0'), trade('t2', '15.0')] },
  { at: T0 + 8000, kind: 'user_ws', frame: { event_type: 'trade', id: 'weird', status: 'WEIRD' } },
  { at: T0 + 9000, kind: 'fill', tradeId: 't5', tokenId: TOKEN, side: 'BUY', size: '3', price: '0.5' },
  { at: T0 + 10_000, kind: 'query', tokenId: TOKEN },
];
const FRAME_LINE = 4;

function writeTape(name: string, lines: readonly object[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return file;
}

function config(name: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `identity: { funder: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266" }
${STANDARD_RISK_YAML}ledger: { kind: sqlite, path: ./${name}.sqlite, groupCommit: { maxBatch: 100, intervalMs: 20 } }
engine: { checkpointEverySeconds: 3600 }
`);
  return file;
}

interface Row { seq: number; type: string; payload: string }
function rows(name: string): Row[] {
  const db = new Database(path.join(dir, `${name}.sqlite`), { readonly: true });
  try {
    return db.prepare('SELECT seq, type, payload FROM events ORDER BY seq').all() as Row[];
  } finally {
    db.close();
  }
}

const ok = (r: CliResult) => expect(r.code, `exit ${r.code}: ${r.stderr}`).toBe(0);
const done = (r: CliResult) => JSON.parse(r.stderr.trim().split('\n').pop()!).done as { resumedAfterSeq: number; skipped: number; resent: number; ingested: number };
/**
 * The end state that must not depend on a restart: positions and fills added (re-sent fills are
 * recognised, so counted apart; risk differs by the snapshot a restarted engine waits for).
 */
function finalState(r: CliResult) {
  const s = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { positions: unknown; fills: { added: number } };
  return { positions: s.positions, added: s.fills.added };
}
const ingest = (cfg: string, tape: string) => runCli(['ingest', '--config', cfg, '--tape', tape], dir);

const TAPE = writeTape('mixed.jsonl', LINES);
let whole: { result: CliResult; rows: Row[] };
let replayed: CliResult;

beforeAll(async () => {
  const cfg = config('whole');
  const [result, rep] = await Promise.all([ingest(cfg, TAPE), runCli(['replay', '--config', cfg, '--tape', TAPE], dir)]);
  whole = { result, rows: rows('whole') };
  replayed = rep;
}, 120_000);

describe('polyquote ingest of raw venue frames', () => {
  it('ledgers the events the frames stand for and answers exactly as replay does', () => {
    ok(whole.result);
    ok(replayed);
    // Line 4: three fills; line 6 (someone else's trade) and line 9 (not understood): none; line 8: two.
    expect(whole.rows.map((r) => r.type)).toEqual(['balance', 'submit', 'book', 'fill', 'fill', 'fill', 'book_delta', 'fill', 'fill', 'fill']);
    expect(whole.rows.filter((r) => r.type === 'fill').map((r) => (JSON.parse(r.payload) as { tradeId: string }).tradeId)).toEqual(['t1', 't2', 't3', 't4', 't2', 't5']);
    expect(done(whole.result)).toMatchObject({ resumedAfterSeq: 0, skipped: 0, resent: 0, ingested: 10 });
    const out = whole.result.stdout.trim().split('\n');
    expect(out).toHaveLength(3); // two queries and the final state
    expect(out).toEqual(replayed.stdout.trim().split('\n'));
    const last = JSON.parse(out[2]!) as { positions: Record<string, { pendingBuys: number }> };
    expect(last.positions[TOKEN]!.pendingBuys).toBe(53); // 10 + 15 + 5 + 20 + 3, t2 counted once
    // The frame problems are reported as replay reports them, naming the line.
    const problem = (r: CliResult) => r.stderr.split('\n').filter((l) => l.startsWith('tape line'));
    expect(problem(whole.result)).toEqual([
      expect.stringMatching(/^tape line 6: frame event skipped: .*"foreign"/),
      expect.stringMatching(/^tape line 9: frame event skipped: .*"WEIRD"/),
    ]);
    expect(problem(whole.result)).toEqual(problem(replayed));
  });

  it('refuses a frame that is not an object or an array with replay\'s line-numbered error, having applied the lines before', async () => {
    const bad = writeTape('bad-frame.jsonl', [...LINES.slice(0, 4), { at: T0 + 4000, kind: 'market_ws', frame: 'PONG' }, ...LINES.slice(5)]);
    const cfg = config('bad');
    const [r, rep] = await Promise.all([ingest(cfg, bad), runCli(['replay', '--config', cfg, '--tape', bad], dir)]);
    expect(r.code).toBe(1);
    expect(rep.code).toBe(1);
    const message = /tape line 5: expected frame to be the JSON object or array received[^\n]*/;
    expect(r.stderr).toMatch(message);
    expect(r.stderr.match(message)![0]).toBe(rep.stderr.match(message)![0]);
    expect(rows('bad').map((x) => x.type)).toEqual(['balance', 'submit', 'book', 'fill', 'fill', 'fill']);
  }, 120_000);

  it('resumes after a restart at a line boundary in the state of the uninterrupted run', async () => {
    const cfg = config('split');
    const first = await ingest(cfg, writeTape('first-half.jsonl', LINES.slice(0, 6))); // stopped after line 6
    ok(first);
    const second = await ingest(cfg, TAPE);
    ok(second);
    expect(done(second)).toMatchObject({ resumedAfterSeq: 7, skipped: 7, resent: 3 }); // t1–t3 fall in the overlap
    // Everything after the re-sent fills is what the uninterrupted run ledgered after seq 7.
    const after = rows('split').slice(7 + 3).map((r) => r.payload);
    expect(after).toEqual(whole.rows.slice(7).map((r) => r.payload));
    // The state reported at the end is the uninterrupted run's (the query of line 7 was answered by the first run).
    expect(finalState(second)).toEqual(finalState(whole.result));
  }, 120_000);

  it('resumes inside a frame that stood for several events, feeding exactly the ones the ledger lost', async () => {
    // A crash that kept the ledger up to t1 (seq 4), the first of line 4's three fills: the rest of
    // the group commit is lost, as SIGKILL loses it. The same file, cut like that, is restarted.
    const cfg = config('cut');
    copyFileSync(path.join(dir, 'whole.sqlite'), path.join(dir, 'cut.sqlite'));
    copyFileSync(path.join(dir, 'whole.sqlite.ingest.jsonl'), path.join(dir, 'cut.sqlite.ingest.jsonl'));
    const db = new Database(path.join(dir, 'cut.sqlite'));
    try {
      db.prepare('DELETE FROM events WHERE seq > 4').run();
      db.prepare('DELETE FROM checkpoints WHERE seq > 4').run();
    } finally {
      db.close();
    }
    const journal = readFileSync(path.join(dir, 'cut.sqlite.ingest.jsonl'), 'utf8');
    expect(journal).toContain(`"line":${FRAME_LINE},"events"`);
    const resumed = await ingest(cfg, TAPE);
    ok(resumed);
    expect(done(resumed)).toMatchObject({ resumedAfterSeq: 4, skipped: 4, resent: 1 }); // t1 re-sent
    const cut = rows('cut');
    expect(JSON.parse(cut[4]!.payload)).toMatchObject({ tradeId: 't1' }); // the re-send
    // Then t2 and t3 of the same frame, and the rest: no fill lost, none fed twice.
    expect(cut.slice(5).map((r) => r.payload)).toEqual(whole.rows.slice(4).map((r) => r.payload));
    expect(finalState(resumed)).toEqual(finalState(whole.result));
  }, 120_000);
});
