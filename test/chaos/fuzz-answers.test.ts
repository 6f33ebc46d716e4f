/**
 * Bad input, seeded and bounded: mutated and random answers of a JSON-RPC node (through the chain
 * source), of the Data API (through the REST source) and of the CLOB (through the client's answer
 * schemas and the placement rules). Each is a valid result or a clear, coded rejection, never a crash
 * or a hang. Prints how many inputs were tried.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeAbiParameters, encodeFunctionResult, type Hex } from 'viem';
import { PolyquoteError, SourceError } from '../../core/errors.ts';
import { ChainSource } from '../../plugins/position-source/chain/index.ts';
import { ctfAbi, multicall3Abi } from '../../plugins/position-source/chain/chain-reader.ts';
import { RestSource } from '../../plugins/position-source/rest/index.ts';
import { parseAnswer, type RawAnswer } from '../../plugins/venue/polymarket/clob/clob-http.ts';
import { placeOutcomes } from '../../plugins/venue/polymarket/clob/placement.ts';
import { orderReport } from '../../plugins/venue/polymarket/clob/reports.ts';
import { bookSchema, cancelResponseSchema, openOrderSchema, postOrderResponseSchema } from '../../plugins/venue/polymarket/clob/schemas.ts';
import { startJsonRpcStub, type StubAnswer } from '../support/loopback.ts';
import { fixture, fixtureText } from '../venue/polymarket/feeds/fixtures.ts';
import { mutator } from './mutate.ts';
import { Tally } from './tally.ts';

const SEED = Number(process.env.POLYQUOTE_FUZZ_SEED ?? 20261201);
const tally = new Tally();
const count = (kind: string, rejectedCode?: string) => tally.count(kind, rejectedCode);
afterAll(() => process.stdout.write(tally.report(`bad-input fuzz, RPC/Data API/CLOB answers (seed ${SEED})`)));

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
