import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../../../core/events.ts';
import type { FeedProblem } from '../../../../plugins/venue/polymarket/feeds/fields.ts';
import { parseMarketFrame } from '../../../../plugins/venue/polymarket/feeds/market-channel.ts';
import { parseOrderReport, parseTradeReports } from '../../../../plugins/venue/polymarket/feeds/rest-reports.ts';
import { parseUserFrame } from '../../../../plugins/venue/polymarket/feeds/user-channel.ts';
import { FeedError } from '../../../../core/errors.ts';
import { fixture, fixtureNames, ME, ORDER } from './fixtures.ts';

const NOW = 1_800_000_000_000;
const ctx = { ourOrderIds: (id: string) => id === ORDER || id === '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', apiKey: ME.apiKey, funder: ME.funder, now: NOW };
const userFixtures = fixtureNames('ws_user_').map(fixture);
const marketFixtures = fixtureNames('ws_market_').map(fixture);

/** A fixture with one field replaced by a random JSON value, deleted, or one level deeper mutated. */
function mutated(bases: Record<string, unknown>[]) {
  return fc.tuple(fc.constantFrom(...bases), fc.nat(), fc.nat(), fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.string(), fc.constantFrom('-1', '1e3', '0.0000001', '1.5', 'NaN', '', '0x10', (2n ** 256n).toString())))
    .map(([base, i, j, value]) => {
      const copy = structuredClone(base);
      const keys = Object.keys(copy);
      const key = keys[i % keys.length]!;
      const inner = copy[key];
      if (Array.isArray(inner) && inner.length > 0) {
        const el = inner[j % inner.length];
        if (el && typeof el === 'object') {
          const ik = Object.keys(el)[j % Object.keys(el).length]!;
          (el as Record<string, unknown>)[ik] = value;
          return copy;
        }
      }
      if (value === undefined) delete copy[key];
      else copy[key] = value;
      return copy;
    });
}

function checkProblems(problems: readonly FeedProblem[]): void {
  for (const p of problems) {
    expect(p.code).toMatch(/^[A-Z_]+$/);
    expect(p.where.length).toBeGreaterThan(0);
    expect(p.message).toContain(' at ');
    expect(p.message.length).toBeLessThan(400);
  }
}

function checkEvents(events: readonly InboundEvent[]): void {
  for (const e of events) {
    expect(e.at).toBe(NOW);
    if ('tokenId' in e && e.tokenId !== undefined) expect(e.tokenId).toMatch(/^(0|[1-9]\d*)$/);
    if (e.type === 'fill') {
      expect(e.size >= 0n && e.price >= 0n && e.price <= 1_000_000n).toBe(true);
    }
    if (e.type === 'book') for (const [p, s] of [...e.bids, ...e.asks]) expect(p >= 0n && p <= 1_000_000n && s > 0n).toBe(true);
  }
}

/**
 * Each event of a frame (each element of an array frame, parsed alone as a one-element array) either
 * produced something or is named by a dropped problem; a frame that is not JSON is one dropped problem.
 */
function eachItemAccountedFor(raw: string, parse: (frame: string) => { produced: number; problems: readonly FeedProblem[] }): void {
  let items: unknown[];
  try {
    const v: unknown = JSON.parse(raw);
    items = Array.isArray(v) ? v : [v];
  } catch {
    const r = parse(raw);
    expect(r.produced).toBe(0);
    expect(r.problems.filter((p) => p.dropped)).toHaveLength(1);
    return;
  }
  for (const item of items) {
    const r = parse(JSON.stringify([item]));
    if (r.produced === 0) expect(r.problems.some((p) => p.dropped && (p.where.startsWith('user frame[0]') || p.where.startsWith('market frame[0]')))).toBe(true);
  }
}

describe('parsers never throw, and every rejection is a counted problem naming what was wrong', () => {
  it('user channel: random text, random JSON and mutated fixtures', () => {
    const frame = fc.oneof(
      { weight: 1, arbitrary: fc.string() },
      { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
      { weight: 4, arbitrary: mutated(userFixtures).map((v) => JSON.stringify(v)) },
      { weight: 2, arbitrary: fc.array(mutated(userFixtures), { maxLength: 4 }).map((v) => JSON.stringify(v)) },
    );
    fc.assert(fc.property(frame, (raw) => {
      const r = parseUserFrame(raw, ctx);
      checkProblems(r.problems);
      checkEvents(r.events);
      eachItemAccountedFor(raw, (one) => {
        const x = parseUserFrame(one, ctx);
        return { produced: x.events.length, problems: x.problems };
      });
    }), { seed: 20261201, numRuns: 1000 });
  });

  it('market channel: random text, random JSON and mutated fixtures', () => {
    const frame = fc.oneof(
      { weight: 1, arbitrary: fc.string() },
      { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
      { weight: 4, arbitrary: mutated(marketFixtures).map((v) => JSON.stringify(v)) },
      { weight: 2, arbitrary: fc.array(mutated(marketFixtures), { minLength: 1, maxLength: 4 }).map((v) => JSON.stringify(v)) },
    );
    fc.assert(fc.property(frame, (raw) => {
      const r = parseMarketFrame(raw, NOW);
      checkProblems(r.problems);
      checkEvents(r.events);
      eachItemAccountedFor(raw, (one) => {
        const x = parseMarketFrame(one, NOW);
        return { produced: x.events.length + x.infos.length, problems: x.problems };
      });
    }), { seed: 20261202, numRuns: 1000 });
  });

  it('REST reports: an order either parses or throws a FeedError naming where; trades never throw', () => {
    const orders = [fixture('http_open_order.json'), ...userFixtures.filter((f) => f.type !== 'TRADE')];
    const trades = userFixtures.filter((f) => f.type === 'TRADE');
    fc.assert(fc.property(mutated(orders), mutated(trades), (order, trade) => {
      try {
        const r = parseOrderReport(order);
        expect(r.tokenId).toMatch(/^(0|[1-9]\d*)$/);
      } catch (err) {
        expect(err).toBeInstanceOf(FeedError);
        expect((err as FeedError).message).toContain(' at order');
      }
      checkProblems(parseTradeReports([trade], ctx).problems);
    }), { seed: 20261203, numRuns: 300 });
  });
});
