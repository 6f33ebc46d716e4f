/**
 * The HTTP side of the simulator: CLOB public and L1 routes, the L2 trading routes, the Data API
 * positions endpoint and the loopback control endpoint, with REST faults (5xx, 425, 429 with
 * Retry-After, slow answers) applied before any non-control route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatMicros, MICROS_PER_UNIT } from '../../core/amounts.ts';
import { verifyL1 } from '../auth/l1.ts';
import type { ServerContext } from './context.ts';
import { control } from './control.ts';
import { err, ok, readBody, send, type Answer, type Req } from './http-util.ts';
import { clobMarket, longMarket, restBook } from './messages.ts';
import { positions } from './positions.ts';
import * as trading from './trading.ts';
import type { KeyRecord } from './sessions.ts';

type L2Route = (ctx: ServerContext, key: KeyRecord, req: Req) => Answer | Promise<Answer>;

const L2: Record<string, L2Route> = {
  'POST /order': trading.postOrder,
  'POST /orders': trading.postOrders,
  'DELETE /order': trading.deleteOrder,
  'DELETE /orders': trading.deleteOrders,
  'DELETE /cancel-all': (c, k) => trading.cancelAll(c, k),
  'DELETE /cancel-market-orders': trading.cancelMarket,
  'GET /data/orders': trading.openOrders,
  'GET /data/trades': trading.trades,
  'POST /v1/heartbeats': trading.heartbeat,
  'GET /balance-allowance': trading.balanceAllowance,
  'GET /balance-allowance/update': trading.balanceAllowance,
  'GET /auth/api-keys': (c, k) => ok({ apiKeys: c.keys.keysOf(k.address).map((r) => r.apiKey) }),
};

/** Routes the matching-engine restart answers with 425 (everything that trades). */
const TRADING = new Set(['POST /order', 'POST /orders', 'DELETE /order', 'DELETE /orders', 'DELETE /cancel-all', 'DELETE /cancel-market-orders']);

export function restHandler(ctx: ServerContext) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rawBody = await readBody(req);
      const r: Req = { method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, res };
      if (r.path.startsWith('/_control/')) return send(res, await control(ctx, r));
      const fault = ctx.faults.nextRest();
      if (fault.kind === 'status') {
        return send(res, { status: fault.status, body: { error: fault.status === 429 ? 'Too Many Requests' : `simulated ${fault.status}` }, ...(fault.retryAfter && { headers: { 'retry-after': String(fault.retryAfter) } }) });
      }
      if (fault.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      send(res, await route(ctx, r));
    } catch (e) {
      if (!res.headersSent) send(res, err(500, `internal error: ${e instanceof Error ? e.message : String(e)}`));
    }
  };
}

async function route(ctx: ServerContext, r: Req): Promise<Answer> {
  const id = `${r.method} ${r.path}`;
  const now = ctx.now();
  const l2 = L2[id] ?? (r.method === 'GET' && r.path.startsWith('/data/order/') ? (c: ServerContext, k: KeyRecord) => trading.getOrder(c, k, r.path.slice('/data/order/'.length)) : undefined);
  if (l2) {
    const auth = ctx.keys.checkL2(r.headers, r.method, r.path, r.rawBody, Math.floor(now / 1000), ctx.config.auth.maxClockSkewSeconds);
    if (!auth.ok) return err(401, auth.error);
    if (TRADING.has(id) && ctx.restart.phase(now) === 'down') return err(425, 'the matching engine is restarting; retry shortly');
    return l2(ctx, auth.key, r);
  }
  if (r.method === 'POST' && r.path === '/auth/api-key') return l1(ctx, r, 'create');
  if (r.method === 'GET' && r.path === '/auth/derive-api-key') return l1(ctx, r, 'derive');
  if (r.method === 'GET') return publicRoute(ctx, r, now);
  return err(404, `no route ${id}`);
}

async function l1(ctx: ServerContext, r: Req, mode: 'create' | 'derive'): Promise<Answer> {
  const h = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const check = await verifyL1(h, ctx.config.chainId, Math.floor(ctx.now() / 1000), ctx.config.auth.maxClockSkewSeconds);
  if (!check.ok) return err(401, check.error);
  const rec = mode === 'create' ? ctx.keys.create(check.address, check.nonce) : ctx.keys.derive(check.address, check.nonce);
  if (!rec) return err(400, mode === 'create' ? 'Could not create api key' : 'Could not derive api key!');
  return ok({ apiKey: rec.apiKey, secret: rec.secret, passphrase: rec.passphrase });
}

function publicRoute(ctx: ServerContext, r: Req, now: number): Answer {
  const e = ctx.engine;
  const token = r.query.get('token_id') ?? '';
  const byToken = () => e.marketOfToken(token);
  switch (r.path) {
    case '/':
    case '/ok':
      return ok('OK');
    case '/version':
      return ok({ version: 2 });
    case '/time':
      return ok(Math.floor(now / 1000));
    case '/positions':
      return positions(ctx, r);
    case '/tick-size':
      return byToken() ? ok({ minimum_tick_size: Number(formatMicros(byToken()!.tickSize)) }) : err(404, 'market not found');
    case '/neg-risk':
      return byToken() ? ok({ neg_risk: byToken()!.negRisk }) : err(404, 'market not found');
    case '/fee-rate':
      return byToken() ? ok({ base_fee: 0 }) : err(404, 'market not found');
    case '/book': {
      const m = byToken();
      if (!m) return err(404, 'No orderbook exists for the requested token id');
      return ok(restBook(m, e.book(m.conditionId)!.tokenBook(token), ctx.lastTrade.get(token), now));
    }
    case '/midpoint':
    case '/price':
    case '/spread': {
      const m = byToken();
      if (!m) return err(404, 'No orderbook exists for the requested token id');
      const b = e.book(m.conditionId)!.tokenBook(token);
      const bid = b.bids[0]?.price ?? 0n;
      const ask = b.asks[0]?.price ?? MICROS_PER_UNIT;
      if (r.path === '/midpoint') return ok({ mid: formatMicros((bid + ask) / 2n) });
      if (r.path === '/spread') return ok({ spread: formatMicros(ask - bid) });
      return ok({ price: formatMicros(r.query.get('side') === 'SELL' ? ask : bid) });
    }
  }
  const tail = (prefix: string) => (r.path.startsWith(prefix) ? r.path.slice(prefix.length) : undefined);
  const cm = tail('/clob-markets/');
  if (cm !== undefined) return e.market(cm) ? ok(clobMarket(e.market(cm)!)) : err(404, 'market not found');
  const lm = tail('/markets/');
  if (lm !== undefined) return e.market(lm) ? ok(longMarket(e.market(lm)!)) : err(404, 'market not found');
  const bt = tail('/markets-by-token/');
  if (bt !== undefined) {
    const m = e.marketOfToken(bt);
    return m ? ok({ condition_id: m.conditionId, primary_token_id: m.tokens[0], secondary_token_id: m.tokens[1] }) : err(404, 'market not found');
  }
  if (r.path === '/markets') return ok({ data: e.markets().map(longMarket), next_cursor: 'LTE=', limit: 500, count: e.markets().length });
  return err(404, `no route GET ${r.path}`);
}
