/** Invariants of the delivery queue under arbitrary answers: nothing lost, nothing twice, order kept, spacing held. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../core/clock.ts';
import { DeliveryQueue, type DeliveryOutcome } from '../../../ops/alerts/delivery-queue.ts';

const outcomeArb: fc.Arbitrary<DeliveryOutcome | 'throw'> = fc.oneof(
  fc.constant<DeliveryOutcome>({ kind: 'sent' }),
  fc.constant<DeliveryOutcome>({ kind: 'retry', error: 'HTTP 502' }),
  fc.integer({ min: 0, max: 20_000 }).map<DeliveryOutcome>((ms) => ({ kind: 'retry', error: '429', throttled: true, retryAfterMs: ms })),
  fc.constant<'throw'>('throw'),
);

const stepArb = fc.oneof(
  fc.record({ push: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ wait: fc.integer({ min: 0, max: 5_000 }) }),
);

const flush = () => new Promise((r) => setImmediate(r));

describe('DeliveryQueue properties', () => {
  it('delivers every alert exactly once, in push order, never faster than the interval, whatever the destination answers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 25 }), fc.array(outcomeArb, { maxLength: 30 }), fc.integer({ min: 1, max: 5 }), async (steps, answers, packSize) => {
        const clock = new VirtualClock(0);
        const delivered: number[] = [];
        const sendTimes: number[] = [];
        const script = [...answers];
        const q = new DeliveryQueue<number[]>({
          name: 'prop', clock, maxQueue: 10_000, minIntervalMs: 1000, dedupWindowMs: 0, groupDelayMs: 0, failAfterAttempts: 3,
          backoff: { initialMs: 200, maxMs: 5000, factor: 2 },
          pack: (items) => ({ count: Math.min(packSize, items.length), payload: items.slice(0, packSize).map((i) => Number(i.alert.message)) }),
          deliver: (payload) => {
            sendTimes.push(clock.now());
            const a = script.shift() ?? { kind: 'sent' };
            if (a === 'throw') throw new Error('boom');
            if (a.kind === 'sent') delivered.push(...payload);
            return Promise.resolve(a);
          },
        });
        let n = 0;
        for (const s of steps) {
          if ('push' in s) for (let i = 0; i < s.push; i++) q.push({ type: 'alert', at: clock.now(), severity: 'warning', code: 'P', message: String(n++) });
          else {
            await flush();
            clock.advanceBy(s.wait);
          }
          await flush();
        }
        for (let i = 0; i < 400 && q.health().queued + (delivered.length < n ? 1 : 0) > 0; i++) {
          await flush();
          clock.advanceBy(1000);
        }
        await flush();
        expect(delivered).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(q.health()).toMatchObject({ sent: n, queued: 0 });
        for (let i = 1; i < sendTimes.length; i++) expect(sendTimes[i]! - sendTimes[i - 1]!).toBeGreaterThanOrEqual(1000);
        q.close();
      }),
      { numRuns: 60 },
    );
  });
});
