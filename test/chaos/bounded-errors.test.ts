/** Found by the bad-input fuzz: an amount error echoed the whole offending value (a 5 KB field gave a 5 KB problem and log line). */
import { describe, expect, it } from 'vitest';
import { parseMicros, parseNonNegativeMicros } from '../../core/amounts.ts';
import { parseUserFrame } from '../../plugins/venue/polymarket/feeds/user-channel.ts';
import { fixture, ME } from '../venue/polymarket/feeds/fixtures.ts';

const BIG = 'x'.repeat(5000);
const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a throw');
};

describe('amount errors name a bounded excerpt of the value', () => {
  it.each([
    ['not a number', () => parseMicros(BIG, 'size')],
    ['too many decimals', () => parseMicros(`1.${'1'.repeat(5000)}`, 'size')],
    ['negative', () => parseNonNegativeMicros(`-${'1'.repeat(5000)}`, 'size')],
  ])('%s', (_what, f) => {
    const msg = thrown(f);
    expect(msg.length).toBeLessThan(200);
    // Either a cut excerpt or the length alone: never the 5 KB value, always the place.
    expect(msg).toMatch(/ at size$/);
    expect(msg).not.toMatch(/x{100}|1{100}/);
  });

  it('a feed problem about a huge amount stays short', () => {
    const frame = { ...fixture('ws_user_order_placement.json'), price: BIG };
    const r = parseUserFrame(JSON.stringify(frame), { ourOrderIds: () => true, apiKey: ME.apiKey, funder: ME.funder, now: 0 });
    expect(r.events).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.message.length).toBeLessThan(200);
    expect(r.problems[0]!.message).toContain('at user frame.price');
  });
});
