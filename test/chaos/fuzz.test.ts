/**
 * Bad input, seeded and bounded: random and mutated frames (from the shared fixtures), tape lines,
 * config files, JSON-RPC answers, Data API answers and CLOB answers through the real parsers and
 * sources. Nothing may crash; every rejection is counted and must name what and where; a rejected
 * input changes no state. Prints how many inputs were tried.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeAbiParameters, encodeFunctionResult, type Hex } from 'viem';
import { loadConfigFile, parseConfig } from '../../core/config/load.ts';
import { ConfigError, PolyquoteError, SourceError, TapeError } from '../../core/errors.ts';
import { replayTape } from '../../app/replay/replay.ts';
import { createLogger } from '../../core/logger.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { ChainSource } from '../../plugins/position-source/chain/index.ts';
import { ctfAbi, multicall3Abi } from '../../plugins/position-source/chain/chain-reader.ts';
import { RestSource } from '../../plugins/position-source/rest/index.ts';
import { parseMarketFrame } from '../../plugins/venue/polymarket/feeds/market-channel.ts';
import { parseUserFrame } from '../../plugins/venue/polymarket/feeds/user-channel.ts';
import type { FeedProblem } from '../../plugins/venue/polymarket/feeds/fields.ts';
import { parseAnswer, type RawAnswer } from '../../plugins/venue/polymarket/clob/clob-http.ts';
import { placeOutcomes } from '../../plugins/venue/polymarket/clob/placement.ts';
import { orderReport } from '../../plugins/venue/polymarket/clob/reports.ts';
import { bookSchema, cancelResponseSchema, openOrderSchema, postOrderResponseSchema } from '../../plugins/venue/polymarket/clob/schemas.ts';
import { startJsonRpcStub, type StubAnswer } from '../support/loopback.ts';
import { startApp } from '../core/harness.ts';
import { fixture, fixtureNames, fixtureText, ME, ORDER } from '../venue/polymarket/feeds/fixtures.ts';
import { mutator } from './mutate.ts';

const SEED = Number(process.env.POLYQUOTE_FUZZ_SEED ?? 20261201);
const ROOT = path.resolve(import.meta.dirname, '../..');

/** Inputs tried and rejections, per input kind: printed at the end. */
const tally: Record<string, { tried: number; rejected: number; codes: Record<string, number> }> = {};
function count(kind: string, rejectedCode?: string): void {
  const t = (tally[kind] ??= { tried: 0, rejected: 0, codes: {} });
  t.tried++;
  if (rejectedCode !== undefined) {
    t.rejected++;
    t.codes[rejectedCode] = (t.codes[rejectedCode] ?? 0) + 1;
  }
}
afterAll(() => {
  const total = Object.values(tally).reduce((s, t) => s + t.tried, 0);
  const rows = Object.entries(tally).map(([k, t]) => `  ${k.padEnd(14)} ${String(t.tried).padStart(5)} tried ${String(t.rejected).padStart(5)} rejected  ${JSON.stringify(t.codes)}`);
  process.stdout.write(`bad-input fuzz (seed ${SEED}): ${total} inputs tried\n${rows.join('\n')}\n`);
});

/** A rejection must name what was wrong and where, briefly. */
function clearProblem(p: FeedProblem): void {
  expect(p.code).toMatch(/^[A-Z][A-Z_]+$/);
  expect(p.where.length).toBeGreaterThan(0);
  expect(p.message).toContain(' at ');
  expect(p.message.length).toBeLessThan(600);
}

const OUR_MAKER_ORDER = '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const feedCtx = (now: number) => ({ ourOrderIds: (id: string) => id === ORDER || id === OUR_MAKER_ORDER, apiKey: ME.apiKey, funder: ME.funder, now });

describe('feed frames through the parsers into a real engine', () => {
  it('user and market frames: no crash, rejections named, a rejected frame leaves the engine state unchanged', async () => {
    const h = await startApp();
    try {
      const m = mutator(SEED, 'frames');
      const user = fixtureNames('ws_user_').map(fixture);
      const market = fixtureNames('ws_market_').map(fixture);
      let applied = 0;
      for (let i = 0; i < 1500; i++) {
        const isUser = i % 2 === 0;
        const base = m.pick(isUser ? user : market);
        const shape = m.int(10);
        const value: unknown = shape === 0 ? m.randomValue() : shape === 1 ? [m.mutateJson(base), m.mutateJson(base)] : m.mutateJson(base);
        const frame = shape === 2 ? m.mutateText(JSON.stringify(base)) : JSON.stringify(value);
        const before = JSON.stringify(h.engine.exportState());
        const seqBefore = h.engine.exportState().seq;
        const r = isUser ? parseUserFrame(frame, feedCtx(h.clock.now())) : parseMarketFrame(frame, h.clock.now());
        for (const p of r.problems) clearProblem(p);
        const alertsBefore = h.alerts.length;
        for (const e of r.events) {
          const stateBefore = JSON.stringify(h.engine.exportState());
          try {
            h.engine.ingest(e);
            applied++;
          } catch (err) {
            // The engine refusing an event is a rejection too: it must leave no trace.
            expect(err).toBeInstanceOf(Error);
            expect(JSON.stringify(h.engine.exportState())).toBe(stateBefore);
            r.problems.push({ code: 'ENGINE_REFUSED', where: 'engine', message: `${(err as Error).message} at engine`, dropped: true } as FeedProblem);
          }
        }
        // An event the parser let through must never fail inside the engine.
        expect(h.alerts.slice(alertsBefore).filter((a) => a.code === 'EVENT_APPLY_FAILED')).toEqual([]);
        if (r.events.length === 0) {
          // Rejected, or valid but not ours (another account's trade, market info): no state change either way.
          expect(JSON.stringify(h.engine.exportState())).toBe(before);
          expect(h.engine.exportState().seq).toBe(seqBefore);
        }
        count(isUser ? 'user frame' : 'market frame', r.problems[0]?.code);
        h.advance(10);
      }
      expect(applied).toBeGreaterThan(0); // the fuzz reaches the engine, not only the parser's front door
    } finally {
      await h.dispose();
    }
  });

  it('frames that are not JSON, or not objects, are one clear problem each', () => {
    for (const bad of ['', '{', 'null', '42', '"text"', '[1,2]', '{"event_type":"trade"']) {
      const u = parseUserFrame(bad, feedCtx(0));
      const mk = parseMarketFrame(bad, 0);
      expect(u.events).toEqual([]);
      expect(mk.events).toEqual([]);
      expect(u.problems.length + mk.problems.length).toBeGreaterThanOrEqual(2);
      for (const p of [...u.problems, ...mk.problems]) clearProblem(p);
      count('user frame', u.problems[0]!.code);
      count('market frame', mk.problems[0]!.code);
    }
  });
});

describe('tape lines through the replay', () => {
  const config = loadConfigFile(path.join(ROOT, 'examples', 'demo.config.yaml'), new PluginRegistry());
  const base = readFileSync(path.join(ROOT, 'examples', 'session.tape.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');

  async function replay(lines: string[]) {
    const out: string[] = [];
    const skipped: TapeError[] = [];
    await replayTape({ config, lines, skipBadLines: true, logger: createLogger({ level: 'silent' }), output: (l) => out.push(JSON.stringify(l)), onSkipped: (e) => skipped.push(e) });
    return { out, skipped };
  }

  it('mutated lines are skipped with their line number, and the skipped lines changed nothing', async () => {
    const m = mutator(SEED, 'tape');
    for (let t = 0; t < 12; t++) {
      const lines: string[] = [];
      for (const l of base) {
        if (m.int(3) === 0) {
          const obj = JSON.parse(l) as Record<string, unknown>;
          lines.push(m.int(4) === 0 ? m.mutateText(l) : JSON.stringify(m.mutateJson(obj)));
        }
        lines.push(l);
      }
      const first = await replay(lines);
      for (const e of first.skipped) {
        expect(e).toBeInstanceOf(TapeError);
        expect(e.line).toBeGreaterThan(0);
        expect(e.message).toMatch(/line \d+/);
        expect(e.message.length).toBeLessThan(800);
      }
      const skippedLines = new Set(first.skipped.map((e) => e.line));
      for (let i = 0; i < lines.length; i++) count('tape line', skippedLines.has(i + 1) ? 'TAPE_LINE' : undefined);
      // The same tape without the lines the first replay skipped must give exactly the same output.
      const kept = lines.filter((_, i) => !skippedLines.has(i + 1));
      const second = await replay(kept);
      expect(second.skipped).toEqual([]);
      expect(second.out).toEqual(first.out);
    }
  });
});

describe('config files through the loader', () => {
  const registry = new PluginRegistry();
  const texts = ['config.yaml', 'examples/demo.config.yaml'].map((f) => readFileSync(path.join(ROOT, f), 'utf8'));
  const env = { POLYQUOTE_PRIVATE_KEY: `0x${'11'.repeat(32)}` };

  it('a mutated config is accepted or refused with a ConfigError naming each path', async () => {
    const { parse, stringify } = await import('yaml');
    const m = mutator(SEED, 'config');
    for (let i = 0; i < 300; i++) {
      const src = m.pick(texts);
      const text = m.int(3) === 0 ? m.mutateText(src) : stringify(m.mutateJson(parse(src) as Record<string, unknown>));
      try {
        parseConfig(text, registry, { env, file: 'fuzz.yaml', baseDir: ROOT });
        count('config file');
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        const ce = err as ConfigError;
        expect(ce.issues.length).toBeGreaterThan(0);
        for (const issue of ce.issues) expect(issue.message.length).toBeGreaterThan(0);
        expect(ce.message).toContain('fuzz.yaml');
        expect(ce.message).not.toContain(env.POLYQUOTE_PRIVATE_KEY);
        count('config file', 'CONFIG_INVALID');
      }
    }
  });
});

describe('JSON-RPC answers through the chain source', () => {
  const IDS = ['1', '2', '3'];
  const FUNDER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
  const uint = (v: bigint): Hex => encodeAbiParameters([{ type: 'uint256' }], [v]);
  const good = (): Hex => encodeFunctionResult({
    abi: multicall3Abi, functionName: 'aggregate3',
    result: [
      { success: true, returnData: uint(42n) }, { success: true, returnData: uint(137n) },
      { success: true, returnData: encodeFunctionResult({ abi: ctfAbi, functionName: 'balanceOfBatch', result: [1n, 2n, 3n] }) },
    ],
  });

  it('every answer is a complete report or a SourceError with a code, never a crash or a hang', async () => {
    const m = mutator(SEED, 'rpc');
    let next: StubAnswer = { result: good() };
    const stub = await startJsonRpcStub(() => next);
    const source = new ChainSource({
      rpcUrl: stub.url, chainId: 137, contract: '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045', funder: FUNDER,
      batch: 'balanceOfBatch', multicallAddress: '0xcA11bde05977b3631167028862bE2a173976CA11', pollIntervalMs: 1000, timeoutMs: 2000,
    });
    try {
      for (let i = 0; i < 150; i++) {
        const hex = good();
        const k = m.int(6);
        next = k === 0 ? { result: m.randomValue() }
          : k === 1 ? { error: { code: -32000 - m.int(700), message: m.mutateText('execution reverted') } }
          : k === 2 ? { raw: m.mutateText(JSON.stringify({ jsonrpc: '2.0', id: 1, result: hex })), status: m.pick([200, 200, 500, 503, 429]) }
          : { result: m.mutateText(hex) };
        try {
          const report = await source.fetchBalances(IDS);
          expect([...report.balances.keys()].sort()).toEqual(IDS);
          for (const v of report.balances.values()) expect(typeof v === 'bigint' && v >= 0n && v < 2n ** 256n).toBe(true);
          count('rpc answer');
        } catch (err) {
          expect(err).toBeInstanceOf(SourceError);
          const se = err as SourceError;
          expect(se.code).toMatch(/^[A-Z][A-Z_]+$/);
          expect(se.message.length).toBeGreaterThan(10);
          count('rpc answer', se.code);
        }
      }
    } finally {
      await source.dispose();
      await stub.close();
    }
  });
});

describe('Data API answers through the REST source', () => {
  const FUNDER = '0xa3d82ed56f4c68d2328fb8c29e568ba2caf7d7c8';
  const rows = fixture('data_api_positions_constructed.json') as unknown as Record<string, unknown>[];
  const ids = (rows as { asset: string }[]).map((r) => r.asset);

  it('every answer is a report of valid balances or a SourceError with a code', async () => {
    const m = mutator(SEED, 'rest');
    let body = JSON.stringify(rows);
    let status = 200;
    const server: Server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const source = new RestSource({ url, funder: FUNDER, pageSize: 500, maxPages: 3, pollIntervalMs: 5000, timeoutMs: 2000 });
    try {
      for (let i = 0; i < 150; i++) {
        const k = m.int(5);
        status = m.int(8) === 0 ? m.pick([429, 500, 502, 404]) : 200;
        body = k === 0 ? m.mutateText(JSON.stringify(rows)) : k === 1 ? JSON.stringify(m.randomValue()) : JSON.stringify(m.mutateJson(rows));
        try {
          const report = await source.fetchBalances(ids);
          for (const [id, v] of report.balances) {
            expect(ids).toContain(id);
            expect(typeof v).toBe('bigint');
          }
          count('rest answer');
        } catch (err) {
          expect(err).toBeInstanceOf(SourceError);
          expect((err as SourceError).code).toMatch(/^[A-Z][A-Z_]+$/);
          count('rest answer', (err as SourceError).code);
        }
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('CLOB answers through the client schemas', () => {
  const answer = (text: string): RawAnswer => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: 200, text, json, headers: new Headers() };
  };
  const cases = [
    { endpoint: 'POST /order', file: 'http_order_response_ok.json', schema: postOrderResponseSchema },
    { endpoint: 'POST /order', file: 'http_order_response_failed.json', schema: postOrderResponseSchema },
    { endpoint: 'GET /data/order', file: 'http_open_order.json', schema: openOrderSchema },
    { endpoint: 'GET /book', file: 'clob_book_response.json', schema: bookSchema },
    { endpoint: 'DELETE /order', file: 'http_cancel_response_ok.json', schema: cancelResponseSchema },
    { endpoint: 'DELETE /order', file: 'http_cancel_response_failed.json', schema: cancelResponseSchema },
  ] as const;

  it('a malformed answer is a VENUE_ANSWER_INVALID naming the endpoint; a sent order with an unreadable answer is unknown, never lost', () => {
    const m = mutator(SEED, 'clob');
    for (let i = 0; i < 600; i++) {
      const c = m.pick(cases);
      const src = fixtureText(c.file);
      const text = m.int(3) === 0 ? m.mutateText(src) : JSON.stringify(m.mutateJson(JSON.parse(src) as unknown));
      const a = answer(text);
      try {
        const parsed = parseAnswer(c.endpoint, a, c.schema as never) as Record<string, unknown>;
        if (c.file === 'http_open_order.json') {
          try {
            orderReport(parsed as never, 'GET /data/order');
          } catch (err) {
            expect(err).toBeInstanceOf(Error);
            expect((err as Error).message).toMatch(/GET \/data\/order/);
            count('clob answer', 'REPORT_INVALID');
            continue;
          }
        }
        count('clob answer');
      } catch (err) {
        expect(err).toBeInstanceOf(PolyquoteError);
        expect((err as PolyquoteError).code).toBe('VENUE_ANSWER_INVALID');
        expect((err as Error).message).toContain(c.endpoint);
        count('clob answer', 'VENUE_ANSWER_INVALID');
      }
      if (c.endpoint === 'POST /order') {
        const outcomes = placeOutcomes('POST /order', ['0xabc'], a);
        expect(outcomes).toHaveLength(1);
        expect(['accepted', 'rejected', 'unknown']).toContain(outcomes[0]!.kind);
        expect(outcomes[0]!.orderId).toBe('0xabc');
      }
    }
  });
});
