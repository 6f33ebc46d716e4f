/**
 * Bad input, seeded and bounded: random and mutated feed frames (from the shared fixtures), tape
 * lines and config files through the real parsers, the engine and the replay (answers of the RPC,
 * Data API and CLOB: fuzz-answers.test.ts). Nothing may crash; every rejection is counted and must
 * name what and where; a rejected input changes no state. Prints how many inputs were tried.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../core/config/load.ts';
import { ConfigError, TapeError } from '../../core/errors.ts';
import { replayTape } from '../../app/replay/replay.ts';
import { createLogger } from '../../core/logger.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { parseMarketFrame } from '../../plugins/venue/polymarket/feeds/market-channel.ts';
import { parseUserFrame } from '../../plugins/venue/polymarket/feeds/user-channel.ts';
import type { FeedProblem } from '../../plugins/venue/polymarket/feeds/fields.ts';
import { startApp } from '../core/harness.ts';
import { fixture, fixtureNames, ME, ORDER } from '../venue/polymarket/feeds/fixtures.ts';
import { mutator } from './mutate.ts';
import { Tally } from './tally.ts';

const SEED = Number(process.env.POLYQUOTE_FUZZ_SEED ?? 20261201);
const ROOT = path.resolve(import.meta.dirname, '../..');

const tally = new Tally();
const count = (kind: string, rejectedCode?: string) => tally.count(kind, rejectedCode);
afterAll(() => process.stdout.write(tally.report(`bad-input fuzz, frames/tapes/configs (seed ${SEED})`)));

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
