import { afterEach } from 'vitest';
import { parseMicros } from '../../../../core/amounts.ts';
import { VirtualClock } from '../../../../core/clock.ts';
import type { OrderIntent } from '../../../../core/venue/venue.ts';
import { ClobClient, type ClobClientOptions } from '../../../../plugins/venue/polymarket/clob/rest-client.ts';
import { seededSalt } from '../../../../plugins/venue/polymarket/clob/signing.ts';
import { startFakeClob, type FakeClob, type Reply, type Seen } from './fake-clob.ts';
import { FUNDER, KEY } from './oracle.ts';

export const m = (s: string) => parseMicros(s, 'test');
export const YES = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
export const NO = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
export const MARKET = '0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917';
export const CREDS = { key: '00000000-0000-0000-0000-00000000beef', secret: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=', passphrase: 'pass-phrase-xyz' };

const open: FakeClob[] = [];
const clients: ClobClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose();
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** Metadata routes every test needs; `route` answers the rest. */
export async function fakeClob(route: (req: Seen) => Reply | undefined): Promise<FakeClob> {
  const fake = await startFakeClob((req) => {
    const r = route(req);
    if (r) return r;
    if (req.path === '/tick-size') return { json: { minimum_tick_size: 0.01 } };
    if (req.path === '/neg-risk') return { json: { neg_risk: false } };
    if (req.path === '/version') return { json: { version: 2 } };
    return { status: 404, json: { error: `not scripted: ${req.method} ${req.path}` } };
  });
  open.push(fake);
  return fake;
}

export function client(fake: FakeClob, over: Partial<ClobClientOptions> = {}, clock = new VirtualClock(1_764_000_000_000)): ClobClient {
  const c = new ClobClient({
    baseUrl: fake.url, privateKey: KEY, signatureType: 1, funder: FUNDER, creds: CREDS, clock, timeoutMs: 3_000,
    salt: seededSalt(1), heartbeatIntervalMs: 0, ...over,
  });
  clients.push(c);
  return c;
}

export function intent(over: Partial<OrderIntent> = {}): OrderIntent {
  return { tokenId: YES, side: 'BUY', price: m('0.45'), size: m('10'), orderType: 'GTC', postOnly: false, ...over };
}

export const posts = (fake: FakeClob) => fake.count('POST', '/order') + fake.count('POST', '/orders');
