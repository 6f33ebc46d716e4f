/**
 * Fuzz (seeded, bounded): mutated tape lines and tapes, and mutated configs. Asserts no crash, every
 * rejection a clear error with its place (a tape line number / a config path), and skip mode equal
 * to a strict replay of the tape without the lines it reported.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config/load.ts';
import type { PolyquoteConfig } from '../../core/config/schema.ts';
import { ConfigError, TapeError } from '../../core/errors.ts';
import type { StateLine } from '../../core/engine/report.ts';
import { replayTape } from '../../app/replay/replay.ts';
import { TapeReader } from '../../app/replay/tape-lines.ts';
import { PluginRegistry } from '../../plugins/registry.ts';

const SEED = 20261201;
const reg = new PluginRegistry();
const TOK = '7';
const T = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();

const BASE: Record<string, unknown>[] = [
  { at: T(0), kind: 'connection', channel: 'user', state: 'connected' },
  { at: T(0), kind: 'balance', source: 'chain', balances: { [TOK]: '100' }, block: '10' },
  { at: T(1), kind: 'submit', orderId: 'o1', tokenId: TOK, side: 'BUY', price: '0.4', size: '10' },
  { at: T(1), kind: 'order', orderId: 'o1', tokenId: TOK, side: 'BUY', status: 'LIVE', originalSize: '10', sizeMatched: '0' },
  { at: T(2), kind: 'fill', tradeId: 't1', orderId: 'o1', tokenId: TOK, side: 'BUY', size: '10', price: '0.4', status: 'MATCHED' },
  { at: T(2), kind: 'book', tokenId: TOK, bids: [['0.39', '50']], asks: [['0.41', '50']] },
  { at: T(3), kind: 'fill', tradeId: 't2', tokenId: TOK, side: 'SELL', size: '4', price: '0.6', status: 'MATCHED' },
  { at: T(4), kind: 'order', orderId: 'o1', status: 'MATCHED', sizeMatched: '10' },
  { at: T(5), kind: 'fill', tradeId: 't2', tokenId: TOK, side: 'SELL', size: '4', price: '0.6', status: 'FAILED' },
  { at: T(6), kind: 'query', tokenId: TOK, canBuy: '5', canSell: '5' },
  { at: T(8), kind: 'balance', source: 'chain', balances: { [TOK]: '110' }, block: '11' },
  { at: T(9), kind: 'gap', channel: 'user', reason: 'r' },
  { at: T(10), kind: 'source_error', source: 'chain', error: 'timeout' },
  { at: T(200), kind: 'advance' },
  { at: T(201), kind: 'query' },
];

/** Values that have broken parsers before: wrong types, precision traps, huge, empty, odd times and ids. */
const NASTY: unknown[] = [
  null, true, [], {}, '', ' ', '-1', -1, 0, 1.5, 100, '1.5', '0.0000001', 123456789012.123456, 9007199254740993, 1e300, -0, NaN,
  '007', (1n << 256n).toString(), '9'.repeat(80), 'x'.repeat(300), '2026-01-01T00:00:04', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z',
  '1e5', '0x10', 'BUY', 'SELL', 'MATCHED', 'FAILED', 'chain', 'rest', 'user', '__proto__', 8.64e15 + 1, 253402300800000, 1.25, '1.234567',
];

const keyOf = (o: Record<string, unknown>) => fc.constantFrom(...Object.keys(o), 'extra', '__proto__');
const mutateObject = (o: Record<string, unknown>) =>
  fc.oneof(
    fc.tuple(keyOf(o), fc.constantFrom(...NASTY)).map(([k, v]) => ({ ...o, [k]: v })),
    keyOf(o).map((k) => Object.fromEntries(Object.entries(o).filter(([x]) => x !== k))),
    fc.tuple(keyOf(o), fc.constantFrom(...NASTY)).map(([k, v]) => JSON.parse(JSON.stringify(o).replace(/"[^"]*"(?=[,}\]])/, JSON.stringify(v) ?? 'null')) as Record<string, unknown>),
  );

/** One tape line: a base line, a mutated one, or raw garbage. */
const lineArb = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...BASE).map((o) => JSON.stringify(o)) },
  { weight: 4, arbitrary: fc.constantFrom(...BASE).chain(mutateObject).map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...BASE).map((o) => JSON.stringify(o).slice(0, 25)) },
);

const CONFIG: PolyquoteConfig = parseConfig(
  'reconciler: { kind: oldest-first, pendingFillTtlSeconds: 60 }\nrisk:\n  policies:\n    - { kind: conservative-limits, maxPositionShares: 1000 }\n    - { kind: hard-halt, sourceUnavailableSeconds: 100 }\nalerts: []\nledger: { kind: memory }\nlog: { level: silent }',
  reg,
);

async function replay(lines: string[], skipBadLines: boolean) {
  const out: StateLine[] = [];
  const skipped: TapeError[] = [];
  await replayTape({ config: CONFIG, lines, skipBadLines, output: (l) => out.push(l), onSkipped: (e) => skipped.push(e) });
  return { out, skipped };
}

function expectClearTapeError(err: unknown, lines: number): void {
  expect(err).toBeInstanceOf(TapeError);
  const e = err as TapeError;
  expect(e.line).toBeGreaterThanOrEqual(1);
  expect(e.line).toBeLessThanOrEqual(lines);
  expect(e.message).toMatch(/^tape line \d+: \S/);
  expect(e.message.length).toBeLessThan(600);
}

describe('fuzz: tape lines and tapes', () => {
  it('every mutated line is read or refused with its line number, never a crash', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 30 }), (lines) => {
        const reader = new TapeReader();
        for (const l of lines) {
          try {
            reader.next(l);
          } catch (err) {
            expectClearTapeError(err, lines.length);
          }
        }
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it('strict replay refuses with a line number; skip mode equals a strict replay without the reported lines', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { minLength: 1, maxLength: 20 }), async (lines) => {
        let strictErr: unknown;
        await replay(lines, false).catch((e: unknown) => void (strictErr = e));
        if (strictErr !== undefined) expectClearTapeError(strictErr, lines.length);
        const skip = await replay(lines, true);
        for (const e of skip.skipped) expectClearTapeError(e, lines.length);
        const bad = new Set(skip.skipped.map((e) => e.line));
        const clean = await replay(lines.map((l, i) => (bad.has(i + 1) ? '' : l)), false);
        expect(clean.out).toEqual(skip.out);
        if (strictErr === undefined) expect(skip.skipped).toEqual([]);
      }),
      { seed: SEED, numRuns: 150 },
    );
  }, 60_000);
});

const CONFIG_BASE = {
  tokens: ['7'],
  engine: { dedupWindowSeconds: 3600, checkpointEverySeconds: 60 },
  reconciler: { kind: 'oldest-first', pendingFillTtlSeconds: 60 },
  positionSource: { kind: 'chain', rpcUrl: 'http://127.0.0.1:1', funder: `0x${'1'.repeat(40)}`, intervalSeconds: 3, timeoutSeconds: 5 },
  risk: { policies: [{ kind: 'conservative-limits', maxPositionShares: 100, perMarketMaxPositionShares: { '7': 5 } }, { kind: 'degrade', thresholdShares: 25, forSeconds: 30 }] },
  ledger: { kind: 'sqlite', path: './x.sqlite', groupCommit: { maxBatch: 100, intervalMs: 20 } },
};

/** Every [path, value] leaf of the base config, to be replaced by a nasty value. */
function leaves(o: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (o && typeof o === 'object') return Object.entries(o).flatMap(([k, v]) => [[...at, Array.isArray(o) ? Number(k) : k], ...leaves(v, [...at, Array.isArray(o) ? Number(k) : k])]);
  return [];
}
const PATHS = leaves(CONFIG_BASE);

function setAt(o: unknown, p: (string | number)[], v: unknown): unknown {
  const copy = structuredClone(o) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of p.slice(0, -1)) {
    const next = cur[k];
    if (!next || typeof next !== 'object') return copy; // an earlier mutation replaced the parent
    cur = next as Record<string | number, unknown>;
  }
  if (v === undefined) delete cur[p.at(-1)!];
  else cur[p.at(-1)!] = v;
  return copy;
}

describe('fuzz: configs', () => {
  it('every mutated config is accepted or refused with a path per problem, never a crash', () => {
    const nastyConfig = [...NASTY, undefined, 1e-6, 3e6, 0.0015, 2.5, 'fallback', { kind: 'nope' }, ['7'], -5];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...PATHS), fc.constantFrom(...nastyConfig)), { minLength: 1, maxLength: 3 }), (muts) => {
        let cfg: unknown = CONFIG_BASE;
        for (const [p, v] of muts) cfg = setAt(cfg, p, v);
        try {
          parseConfig(JSON.stringify(cfg), reg, { baseDir: '/tmp' });
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          const issues = (err as ConfigError).issues;
          expect(issues.length).toBeGreaterThan(0);
          for (const i of issues) expect(i.message.length).toBeGreaterThan(3);
        }
      }),
      { seed: SEED, numRuns: 1200 },
    );
  });
});
