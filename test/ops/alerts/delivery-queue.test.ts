import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../core/clock.ts';
import type { AlertSeverity } from '../../../core/events.ts';
import { DeliveryQueue, RateGate, type DeliveryOutcome, type DeliveryQueueOptions } from '../../../ops/alerts/delivery-queue.ts';

const alert = (message: string, severity: AlertSeverity = 'warning') => ({ type: 'alert' as const, at: 0, severity, code: 'X', message });
const settle = () => new Promise((r) => setTimeout(r, 0));

/** A queue whose destination answers from `answers` (then 'sent'), recording virtual send times. */
function queue(over: Partial<DeliveryQueueOptions<string[]>> = {}, answers: (DeliveryOutcome | Error)[] = [], clock = new VirtualClock(0)) {
  const sends: { at: number; messages: string[] }[] = [];
  const q = new DeliveryQueue<string[]>({
    name: 'test', clock, maxQueue: 10, minIntervalMs: 1000, dedupWindowMs: 0, groupDelayMs: 0, failAfterAttempts: 2,
    backoff: { initialMs: 500, maxMs: 4000, factor: 2 },
    pack: (items) => ({ count: Math.min(2, items.length), payload: items.slice(0, 2).map((i) => i.alert.message) }),
    deliver: (p) => {
      sends.push({ at: clock.now(), messages: p });
      const a = answers.shift();
      if (a instanceof Error) throw a;
      return Promise.resolve(a ?? { kind: 'sent' });
    },
    ...over,
  });
  /** Advances virtual time in 100 ms steps, letting promise callbacks run between steps. */
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      await settle();
      clock.advanceBy(100);
    }
    await settle();
  };
  return { q, clock, sends, run };
}

describe('DeliveryQueue', () => {
  it('sends at most one payload per interval, packing what waits, in order', async () => {
    const { q, sends, run } = queue();
    for (const m of ['a', 'b', 'c', 'd', 'e']) q.push(alert(m));
    await run(5000);
    expect(sends).toEqual([{ at: 0, messages: ['a', 'b'] }, { at: 1000, messages: ['c', 'd'] }, { at: 2000, messages: ['e'] }]);
    expect(q.health()).toMatchObject({ sent: 5, queued: 0, state: 'ok' });
  });

  it('shares a gate between queues', async () => {
    const clock = new VirtualClock(0);
    const gate = new RateGate(300);
    const a = queue({ gate, minIntervalMs: 1 }, [], clock);
    const b = queue({ gate, minIntervalMs: 1 }, [], clock);
    a.q.push(alert('a1'));
    b.q.push(alert('b1'));
    await a.run(1000);
    expect([...a.sends, ...b.sends].map((s) => s.at).sort((x, y) => x - y)).toEqual([0, 300]);
  });

  it('retries a throwing or rejecting destination with backoff and turns failing after N attempts, ok after a success', async () => {
    const changes: string[] = [];
    const { q, sends, run } = queue({ onHealthChange: (h) => changes.push(h.state) }, [new Error('socket hang up'), { kind: 'retry', error: 'HTTP 502' }, { kind: 'retry', error: 'HTTP 503' }]);
    q.push(alert('x'));
    await run(10_000);
    expect(sends.map((s) => s.at)).toEqual([0, 1000, 2000, 4000]);
    expect(changes).toEqual(['failing', 'ok']);
    expect(q.health()).toMatchObject({ sent: 1, consecutiveFailures: 0, lastError: 'HTTP 503' });
  });

  it('waits what a throttled answer asks, without counting it as a failure', async () => {
    const { q, sends, run } = queue({}, [{ kind: 'retry', error: '429', throttled: true, retryAfterMs: 3000 }]);
    q.push(alert('x'));
    await run(6000);
    // The answer is handled at the next 100 ms step (t = 100); the wait counts from then.
    expect(sends.map((s) => s.at)).toEqual([0, 3100]);
    expect(q.health()).toMatchObject({ state: 'ok', consecutiveFailures: 0 });
  });

  it('lets a repeat of a dropped alert through instead of treating it as already sent', async () => {
    const { q, sends, run } = queue({ maxQueue: 3, dedupWindowMs: 60_000 }, [{ kind: 'retry', error: 'down' }]);
    q.push(alert('first', 'critical'));
    await run(100);
    q.push(alert('lost', 'info'));
    q.push(alert('w1'));
    q.push(alert('w2'));
    expect(q.health().dropped.info).toBe(1);
    await run(5000);
    q.push(alert('lost', 'info'));
    await run(5000);
    expect(q.health().deduplicated).toBe(0);
    expect(sends.flatMap((s) => s.messages)).toEqual(['first', 'first', 'w1', 'w2', 'lost']);
  });

  it('counts what is left as dropped when closed, and accepts nothing after', async () => {
    const { q, run } = queue({}, [{ kind: 'retry', error: 'down' }]);
    q.push(alert('a', 'critical'));
    q.push(alert('b'));
    q.push(alert('c'));
    await run(100);
    expect(q.close()).toBe(3);
    q.push(alert('d'));
    expect(q.health()).toMatchObject({ queued: 0, dropped: { critical: 1, warning: 2, info: 0 } });
  });
});
