import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../core/clock.ts';
import { hmacSignature } from '../../../../plugins/venue/polymarket/clob/auth.ts';
import { orderPayload, type SignedOrder } from '../../../../plugins/venue/polymarket/clob/signing.ts';
import type { ClobPayload } from '../../../../plugins/venue/polymarket/clob/rest-client.ts';
import { CREDS, MARKET, YES, client, fakeClob, intent, m, posts } from './support.ts';

const ok = (orderID: string, status = 'live', extra: Record<string, unknown> = {}) => ({ json: { success: true, orderID, status, errorMsg: '', ...extra } });
const signedOf = (p: { payload: unknown }) => (p.payload as ClobPayload).signed as SignedOrder;

describe('placing orders against a loopback CLOB', () => {
  it('posts the signed body with valid L2 headers and reports the venue status and trade ids', async () => {
    const fake = await fakeClob((r) => (r.path === '/order' ? ok(JSON.parse(r.body).order ? '0xvenue' : '', 'matched', { tradeIDs: ['t-1'] }) : undefined));
    const c = client(fake);
    const prepared = await c.prepare(intent());
    const [outcome] = await c.place([prepared]);
    expect(outcome).toEqual({ kind: 'accepted', orderId: prepared.orderId, status: 'MATCHED', tradeIds: ['t-1'] });
    const post = fake.seen.find((s) => s.path === '/order')!;
    expect(post.body).toBe(JSON.stringify(orderPayload(signedOf(prepared), CREDS.key, 'GTC', false)));
    expect(post.headers['poly_api_key']).toBe(CREDS.key);
    expect(post.headers['poly_signature']).toBe(hmacSignature(CREDS.secret, post.headers['poly_timestamp'] as string, 'POST', '/order', post.body));
    expect(post.headers['poly_address']).toBe(c.identity.eoa);
  });

  it('batches up to 15 orders a request, one outcome per order in order', async () => {
    const fake = await fakeClob((r) => {
      if (r.path !== '/orders') return undefined;
      const list = JSON.parse(r.body) as unknown[];
      return { json: list.map((_, i) => (i === 1 ? { success: false, orderID: null, errorMsg: 'INVALID_ORDER_MIN_SIZE: below 5' } : { success: true, orderID: 'x', status: 'live' })) };
    });
    const c = client(fake);
    const prepared = await Promise.all(Array.from({ length: 17 }, (_, i) => c.prepare(intent({ size: m(String(10 + i)) }))));
    const outcomes = await c.place(prepared);
    expect(fake.seen.filter((s) => s.path === '/orders').map((s) => (JSON.parse(s.body) as unknown[]).length)).toEqual([15, 2]);
    expect(outcomes.map((o) => o.orderId)).toEqual(prepared.map((p) => p.orderId));
    expect(outcomes[1]).toMatchObject({ kind: 'rejected', code: 'INVALID_ORDER_MIN_SIZE', retryable: false });
    expect(outcomes.filter((o) => o.kind === 'accepted')).toHaveLength(15);
  });

  it('reports a 401 as a non-retryable rejection without any secret in it', async () => {
    const fake = await fakeClob((r) => (r.path === '/order' ? { status: 401, json: { error: 'Unauthorized/Invalid api key' } } : undefined));
    const c = client(fake);
    const [o] = await c.place([await c.prepare(intent())]);
    expect(o).toMatchObject({ kind: 'rejected', code: 'CLOB_AUTH_FAILED', retryable: false });
    const text = JSON.stringify(o);
    expect(text).toContain('Unauthorized/Invalid api key');
    for (const secret of [CREDS.secret, CREDS.passphrase]) expect(text).not.toContain(secret);
  });

  it('after a 425 backs off, then sends only post-only orders for two minutes, refusing others locally', async () => {
    let restarting = true;
    const fake = await fakeClob((r) => (r.path === '/order' ? (restarting ? { status: 425, json: { error: 'engine restarting' } } : ok('x')) : undefined));
    const clock = new VirtualClock(1_764_000_000_000);
    const c = client(fake, {}, clock);
    const [first] = await c.place([await c.prepare(intent())]);
    expect(first).toMatchObject({ kind: 'rejected', code: 'CLOB_ENGINE_RESTARTING', retryable: true });
    expect(c.health().backoffUntil).toBeGreaterThan(clock.now());
    const [during] = await c.place([await c.prepare(intent({ postOnly: true }))]);
    expect(during).toMatchObject({ kind: 'rejected', code: 'BACKOFF_ACTIVE' });
    expect(posts(fake)).toBe(1);
    restarting = false;
    clock.advanceBy(6_000);
    const [plain] = await c.place([await c.prepare(intent())]);
    expect(plain).toMatchObject({ kind: 'rejected', code: 'POST_ONLY_WINDOW', retryable: true });
    expect(posts(fake)).toBe(1);
    const [postOnly] = await c.place([await c.prepare(intent({ postOnly: true }))]);
    expect(postOnly).toMatchObject({ kind: 'accepted' });
    expect(JSON.parse(fake.seen.at(-1)!.body).postOnly).toBe(true);
    clock.advanceBy(120_000);
    expect((await c.place([await c.prepare(intent())]))[0]).toMatchObject({ kind: 'accepted' });
    expect(posts(fake)).toBe(3);
  });

  it('honours Retry-After on a 429', async () => {
    let limited = true;
    const fake = await fakeClob((r) => (r.path === '/order' ? (limited ? { status: 429, json: { error: 'Too Many Requests' }, headers: { 'retry-after': '3' } } : ok('x')) : undefined));
    const clock = new VirtualClock(1_764_000_000_000);
    const c = client(fake, {}, clock);
    expect((await c.place([await c.prepare(intent())]))[0]).toMatchObject({ kind: 'rejected', code: 'CLOB_RATE_LIMITED', retryable: true });
    expect(c.health().backoffUntil).toBe(clock.now() + 3_000);
    limited = false;
    clock.advanceBy(2_900);
    expect((await c.place([await c.prepare(intent())]))[0]).toMatchObject({ kind: 'rejected', code: 'BACKOFF_ACTIVE' });
    expect(posts(fake)).toBe(1);
    clock.advanceBy(200);
    expect((await c.place([await c.prepare(intent())]))[0]).toMatchObject({ kind: 'accepted' });
    expect(posts(fake)).toBe(2);
  });

  it('treats a 503 refusal as rejected with a back-off, and a 500 or a lost answer as unknown', async () => {
    let reply: 'refuse' | 'crash' | 'drop' = 'refuse';
    const fake = await fakeClob((r) => {
      if (r.path !== '/order') return undefined;
      if (reply === 'refuse') return { status: 503, json: { error: 'trading disabled' } };
      if (reply === 'crash') return { status: 500, raw: 'internal' };
      return { drop: true };
    });
    const clock = new VirtualClock(1_764_000_000_000);
    const c = client(fake, {}, clock);
    expect((await c.place([await c.prepare(intent())]))[0]).toMatchObject({ kind: 'rejected', code: 'CLOB_UNAVAILABLE', retryable: true });
    expect(c.health().backoffUntil).toBeDefined();
    clock.advanceBy(60_000);
    reply = 'crash';
    expect((await c.place([await c.prepare(intent())]))[0]).toMatchObject({ kind: 'unknown', error: expect.stringMatching(/HTTP 500/) });
    reply = 'drop';
    expect((await c.place([await c.prepare(intent())]))[0]).toMatchObject({ kind: 'unknown', error: expect.stringMatching(/connection failed/) });
  });

  it('resolves a timed-out POST by looking the order up, with no second POST', async () => {
    let id = '';
    const fake = await fakeClob((r) => {
      if (r.path === '/order') return { hang: true };
      if (r.path === `/data/order/${id}`) {
        return { json: { id, status: 'LIVE', market: MARKET, asset_id: YES, side: 'BUY', original_size: '10', size_matched: '0', price: '0.45', created_at: 1764000000 } };
      }
      return undefined;
    });
    const c = client(fake, { timeoutMs: 300 });
    const p = await c.prepare(intent({ postOnly: true }));
    id = p.orderId;
    const [o] = await c.place([p]);
    expect(o).toMatchObject({ kind: 'unknown', orderId: id, error: expect.stringMatching(/no answer within 300 ms/) });
    const report = await c.lookupOrder(id);
    expect(report).toMatchObject({ orderId: id, status: 'LIVE', price: m('0.45'), originalSize: m('10'), sizeMatched: 0n, tokenId: YES });
    expect(posts(fake)).toBe(1);
  });

  it('resolves an unknown order that already filled from our trades in its market', async () => {
    let id = '';
    const fake = await fakeClob((r) => {
      if (r.path === '/order') return { status: 502, raw: 'bad gateway' };
      if (r.path.startsWith('/data/order/')) return { status: 404, json: { error: 'not found' } };
      if (r.path === '/data/trades') {
        expect(r.query.get('market')).toBe(MARKET);
        expect(r.query.has('asset_id')).toBe(false);
        return {
          json: {
            next_cursor: 'LTE=', data: [{
              id: 'trade-1', taker_order_id: '0x' + '9'.repeat(64), market: MARKET, asset_id: YES, side: 'SELL', size: '40', price: '0.45', status: 'MATCHED',
              match_time: '1764000001', trader_side: 'MAKER', maker_orders: [{ order_id: id, owner: 'x', maker_address: '0x1', matched_amount: '10', price: '0.45', asset_id: YES }],
            }],
          },
        };
      }
      return undefined;
    });
    const c = client(fake);
    const p = await c.prepare(intent());
    id = p.orderId;
    expect((await c.place([p]))[0]!.kind).toBe('unknown');
    expect(await c.lookupOrder(id)).toBeUndefined();
    expect(await c.lookupOrder(id, { marketId: MARKET, intent: p.intent })).toMatchObject({ orderId: id, status: 'MATCHED', sizeMatched: m('10'), side: 'BUY' });
    expect(posts(fake)).toBe(1);
  });

  it('re-signs once with the version the venue reports after order_version_mismatch', async () => {
    let version = 2;
    const fake = await fakeClob((r) => {
      if (r.path === '/version') return { json: { version } };
      if (r.path === '/order') {
        if (posts(fake) === 1) {
          version = 3;
          return { status: 400, json: { error: 'order_version_mismatch' } };
        }
        return ok('x');
      }
      return undefined;
    });
    const c = client(fake);
    const p = await c.prepare(intent());
    const [o] = await c.place([p]);
    expect(o).toMatchObject({ kind: 'accepted' });
    expect(o!.orderId).not.toBe(p.orderId);
    expect(posts(fake)).toBe(2);
    const [a, b] = fake.seen.filter((s) => s.path === '/order').map((s) => JSON.parse(s.body).order.signature as string);
    expect(a).not.toBe(b);
  });

  it('re-signs only the orders of a batch refused for the version, never re-posting the accepted ones', async () => {
    let version = 2;
    const fake = await fakeClob((r) => {
      if (r.path === '/version') return { json: { version } };
      if (r.path === '/orders') {
        version = 3;
        return { json: [{ success: true, orderID: 'a', status: 'live' }, { success: false, orderID: null, errorMsg: 'order_version_mismatch' }] };
      }
      if (r.path === '/order') return ok('b');
      return undefined;
    });
    const c = client(fake);
    const batch = await Promise.all([1, 2].map(() => c.prepare(intent())));
    const outcomes = await c.place(batch);
    expect(outcomes.map((o) => o.kind)).toEqual(['accepted', 'accepted']);
    expect(outcomes[0]!.orderId).toBe(batch[0]!.orderId);
    expect(outcomes[1]!.orderId).not.toBe(batch[1]!.orderId);
    expect([fake.count('POST', '/orders'), fake.count('POST', '/order')]).toEqual([1, 1]);
  });

  it('does not loop on a mismatch when the version did not change', async () => {
    const fake = await fakeClob((r) => (r.path === '/order' ? { status: 400, json: { error: 'order_version_mismatch' } } : undefined));
    const c = client(fake);
    expect((await c.place([await c.prepare(intent())]))[0]).toMatchObject({ kind: 'rejected', code: 'order_version_mismatch' });
    expect(posts(fake)).toBe(1);
  });

  it('reports every order of a batch whose POST timed out as unknown, sent once', async () => {
    const fake = await fakeClob((r) => (r.path === '/orders' ? { hang: true } : undefined));
    const c = client(fake, { timeoutMs: 300 });
    const batch = await Promise.all([1, 2, 3].map(() => c.prepare(intent())));
    const outcomes = await c.place(batch);
    expect(outcomes.map((o) => [o.kind, o.orderId])).toEqual(batch.map((p) => ['unknown', p.orderId]));
    expect(posts(fake)).toBe(1);
  });

  it('reads an unreadable 2xx answer to a POST as an unknown outcome', async () => {
    const fake = await fakeClob((r) => (r.path === '/order' ? { raw: '<html>oops' } : undefined));
    const c = client(fake);
    expect((await c.place([await c.prepare(intent())]))[0]).toMatchObject({ kind: 'unknown', error: expect.stringMatching(/unreadable answer/) });
  });

  it('refuses post-only FOK and a GTD without expiry before signing', async () => {
    const fake = await fakeClob(() => undefined);
    const c = client(fake);
    await expect(c.prepare(intent({ orderType: 'FOK', postOnly: true }))).rejects.toMatchObject({ code: 'INVALID_POST_ONLY_ORDER_TYPE' });
    await expect(c.prepare(intent({ orderType: 'GTD' }))).rejects.toMatchObject({ code: 'ORDER_INVALID' });
    const gtd = await c.prepare(intent({ orderType: 'GTD', expiresAt: 1_800_000_000_500 }));
    expect(signedOf(gtd).order.expiration).toBe('1800000000');
  });
});
