/** Log correlation: every line written while the engine applies an event carries that event's seq. */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger, withLogSeq, withLogSeqCall } from '../../core/logger.ts';
import { startApp, YES, NO, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

describe('log seq correlation', () => {
  it('lines from the engine, inventory, order tracker and risk carry the seq of the event being applied', async () => {
    h = await startApp();
    const before = h.logs().length;
    const s1 = h.snapshot({ [YES]: 10, [NO]: 0 });
    const s2 = h.submit('0xo1', 'BUY', 5);
    const s3 = h.fill({ tradeId: 't1', orderId: '0xo1', side: 'BUY', size: 5, price: '0.4' });
    const s4 = h.order('0xo1', 'CANCELED', { token: YES, side: 'BUY' });
    const s5 = h.sourceError('timeout');
    const s6 = h.snapshot({ [NO]: -1 });
    const lines = h.logs().slice(before);
    const seqOf = (msg: string) => lines.filter((l) => String(l.msg).includes(msg)).map((l) => l.seq);
    expect(seqOf('first snapshot: baseline set')).toEqual([s1, s1]); // inventory, one per token
    expect(seqOf('pending fill added')).toEqual([s3]);
    expect(seqOf('order closed')).toEqual([s4]);
    expect(seqOf('position source failed')).toEqual([s5]);
    expect(seqOf('risk mode changed').at(-1)).toBe(s6);
    expect(new Set([s1, s2, s3, s4, s5, s6]).size).toBe(6);
    // Outside event application, nothing is stamped.
    h.app.logger.info('not about an event');
    expect(h.logs().at(-1)).not.toHaveProperty('seq');
  });

  it('nests, restores the outer seq, and a line that sets its own seq keeps it', () => {
    const mem = createMemoryLogger('info');
    withLogSeq(7, () => {
      mem.logger.info('outer');
      withLogSeq(8, () => mem.logger.info('inner'));
      mem.logger.info({ seq: 3 }, 'own');
      mem.logger.child({ component: 'x' }).info('child');
    });
    expect(() => withLogSeq(9, () => {
      throw new Error('boom');
    })).toThrow('boom');
    // The engine's form (a method and its arguments, no closure) nests and restores the same way.
    const target = { log(this: { prefix: string }, a: string, b: number) { mem.logger.info(`${this.prefix}${a}${b}`); }, prefix: 'call-' };
    withLogSeq(10, () => withLogSeqCall(11, target, target.log, 'x', 1));
    expect(() => withLogSeqCall(12, target, () => {
      throw new Error('bang');
    }, 'y', 2)).toThrow('bang');
    mem.logger.info('after');
    expect(mem.lines().map((l) => [l.msg, l.seq])).toEqual([['outer', 7], ['inner', 8], ['own', 3], ['child', 7], ['call-x1', 11], ['after', undefined]]);
  });
});
