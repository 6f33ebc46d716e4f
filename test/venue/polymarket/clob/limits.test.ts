import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../../../core/clock.ts';
import { Heartbeats } from '../../../../plugins/venue/polymarket/clob/heartbeats.ts';
import { RateLimiter, TokenBucket, parseReset } from '../../../../plugins/venue/polymarket/clob/rate-limit.ts';
import { client, fakeClob, intent, m, posts } from './support.ts';

const ok = { json: { success: true, orderID: 'x', status: 'live', errorMsg: '' } };

describe('token buckets', () => {
  it('refill at their rate, never above capacity, and admit a cost whole or not at all', () => {
    const b = new TokenBucket(10, 1 / 100, 0);
    expect(b.waitMs(10, 0)).toBe(0);
    b.take(8, 0);
    expect(b.waitMs(3, 0)).toBe(100);
    expect(b.waitMs(2, 0)).toBe(0);
    expect(b.waitMs(11, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(b.snapshot(10_000)).toEqual({ remaining: 10, capacity: 10 });
  });

  it('adopt the venue remaining count and block until its reset when exhausted', () => {
    const b = new TokenBucket(10, 1 / 100, 0);
    b.observe(-2, 5_000, 0);
    expect(b.waitMs(1, 0)).toBe(5_000);
    expect(b.waitMs(1, 5_000)).toBe(0);
  });

  it.each([
    ['seconds from now', '2', 1_000_000, 1_002_000], ['epoch seconds', '1764000000', 0, 1_764_000_000_000], ['epoch ms', '1764000000123', 0, 1_764_000_000_123],
  ])('read a reset header given in %s', (_d, raw, now, at) => {
    expect(parseReset(raw, now)).toBe(at);
  });

  it('stay below the published limits: POST /order admits 80% of 3,500 per 10 s', () => {
    const r = new RateLimiter(0, { signer: { ordersPerSecond: 1e6, ordersBurst: 1e6, cancelsPerSecond: 1e6, cancelsBurst: 1e6 } });
    let admitted = 0;
    while (r.admit('POST /order', 'orders', 1, 0).ok) admitted++;
    expect(admitted).toBe(2_800);
  });
});

describe('client-side limits against a loopback CLOB', () => {
  it('refuses a batch that does not fit the signer bucket whole, sending nothing', async () => {
    const fake = await fakeClob((r) => (r.path === '/orders' ? { json: (JSON.parse(r.body) as unknown[]).map(() => ok.json) } : r.path === '/order' ? ok : undefined));
    const clock = new VirtualClock(1_764_000_000_000);
    const c = client(fake, { rateLimits: { safety: 1, signer: { ordersPerSecond: 1, ordersBurst: 4, cancelsPerSecond: 1, cancelsBurst: 4 } } }, clock);
    const three = await Promise.all([1, 2, 3].map(() => c.prepare(intent())));
    expect((await c.place(three)).every((o) => o.kind === 'accepted')).toBe(true);
    const again = await c.place(await Promise.all([1, 2].map(() => c.prepare(intent()))));
    expect(again.map((o) => o.kind === 'rejected' && o.code)).toEqual(['RATE_LIMITED_LOCAL', 'RATE_LIMITED_LOCAL']);
    expect(posts(fake)).toBe(1);
    expect(c.rateBudget().orders.remaining).toBe(1);
    clock.advanceBy(1_000);
    expect((await c.place(await Promise.all([1, 2].map(() => c.prepare(intent()))))).every((o) => o.kind === 'accepted')).toBe(true);
    expect(posts(fake)).toBe(2);
  });

  it('respects Poly-RateLimit-Remaining and -Reset from the venue', async () => {
    const fake = await fakeClob((r) => (r.path === '/order' ? { ...ok, headers: { 'Poly-RateLimit-Remaining': '0', 'Poly-RateLimit-Reset': '2' } } : undefined));
    const clock = new VirtualClock(1_764_000_000_000);
    const c = client(fake, {}, clock);
    expect((await c.place([await c.prepare(intent())]))[0]!.kind).toBe('accepted');
    const [refused] = await c.place([await c.prepare(intent())]);
    expect(refused).toMatchObject({ kind: 'rejected', code: 'RATE_LIMITED_LOCAL', reason: expect.stringMatching(/signer orders/) });
    expect(posts(fake)).toBe(1);
    clock.advanceBy(2_000);
    expect((await c.place([await c.prepare(intent())]))[0]!.kind).toBe('accepted');
    expect(posts(fake)).toBe(2);
  });
});

describe('heartbeats (dead-man switch)', () => {
  it('chain heartbeat ids, refuse submits while failing, and allow them again after a success', async () => {
    let failing = false;
    let n = 0;
    const fake = await fakeClob((r) => {
      if (r.path === '/v1/heartbeats') return failing ? { status: 500, json: { error: 'down' } } : { json: { heartbeat_id: `hb-${++n}` } };
      if (r.path === '/order') return ok;
      return undefined;
    });
    const clock = new VirtualClock(1_764_000_000_000);
    const c = client(fake, { heartbeatIntervalMs: 5_000 }, clock);
    const hb = c.heartbeats!;
    expect(hb.ok).toBe(false);
    expect((await c.place([await c.prepare(intent())]))[0]).toMatchObject({ kind: 'rejected', code: 'HEARTBEAT_FAILED' });
    await hb.beat();
    await hb.beat();
    expect(fake.seen.filter((s) => s.path === '/v1/heartbeats').map((s) => JSON.parse(s.body).heartbeat_id)).toEqual(['', 'hb-1']);
    expect(hb.ok).toBe(true);
    expect((await c.place([await c.prepare(intent())]))[0]!.kind).toBe('accepted');
    failing = true;
    await hb.beat();
    expect(hb.ok).toBe(false);
    expect(c.health().heartbeatOk).toBe(false);
    expect((await c.place([await c.prepare(intent())]))[0]).toMatchObject({ kind: 'rejected', code: 'HEARTBEAT_FAILED', reason: expect.stringMatching(/HTTP 500: down/) });
    expect(posts(fake)).toBe(1);
    failing = false;
    await hb.beat();
    expect(hb.ok).toBe(true);
    expect((await c.place([await c.prepare(intent())]))[0]!.kind).toBe('accepted');
  });

  it('goes not-ok when no heartbeat succeeded for two intervals, and sends on the clock', async () => {
    const clock = new VirtualClock(0);
    const sent: string[] = [];
    let resolveNext: (() => void) | undefined;
    const hb = new Heartbeats(async (id) => {
      sent.push(id);
      if (sent.length > 1) await new Promise<void>((r) => (resolveNext = r)); // later heartbeats hang
      return 'next';
    }, clock, 5_000);
    hb.start();
    await vi.waitFor(() => expect(hb.ok).toBe(true));
    clock.advanceBy(5_000);
    expect(sent).toEqual(['', 'next']);
    clock.advanceBy(5_000);
    expect(hb.ok).toBe(true);
    clock.advanceBy(1);
    expect(hb.ok).toBe(false);
    expect(sent).toHaveLength(2); // no overlapping heartbeat while one is in flight
    hb.stop();
    resolveNext?.();
  });

  it('is off when the interval is 0 (no submit gate)', async () => {
    const fake = await fakeClob((r) => (r.path === '/order' ? ok : undefined));
    const c = client(fake, { heartbeatIntervalMs: 0 });
    expect(c.heartbeats).toBeUndefined();
    expect((await c.place([await c.prepare(intent({ price: m('0.5') }))]))[0]!.kind).toBe('accepted');
  });
});
