/**
 * The authenticated (L2) CLOB routes: orders in and out, open orders, trades, heartbeats, balances.
 * Every order's signature is checked here with the simulator's own verifier.
 */
import { formatMicros } from '../../core/amounts.ts';
import { verifyOrderSignature } from '../auth/order-signature.ts';
import { COLLATERAL } from '../exchange/balances.ts';
import type { SubmitResult } from '../exchange/engine.ts';
import type { OrderInput, SimTrade } from '../exchange/types.ts';
import { parseWireOrder } from '../exchange/wire-order.ts';
import type { ServerContext } from './context.ts';
import { err, jsonBody, ok, page, type Answer, type Req } from './http-util.ts';
import { restOrder, tradeBody } from './messages.ts';
import type { KeyRecord } from './sessions.ts';

const MAX_UINT = (2n ** 256n - 1n).toString();
const PAGE = 100;

type Placed = { readonly answer: Record<string, unknown>; readonly booked: boolean };

async function placeOne(ctx: ServerContext, key: KeyRecord, raw: unknown, where: string): Promise<Placed | { readonly error: string; readonly status: number }> {
  const p = parseWireOrder(raw, where);
  if (!p.ok) return { error: p.error, status: 400 };
  const w = p.order;
  if (w.owner !== key.apiKey) return { error: 'the order owner has to be the owner of the API KEY', status: 400 };
  const market = ctx.engine.marketOfToken(w.tokenId);
  if (!market) return { error: `Invalid order payload: unknown token id ${w.tokenId} at ${where}.order.tokenId`, status: 400 };
  const sig = await verifyOrderSignature(w.signed, {
    chainId: ctx.config.chainId, version: '2', verifyingContract: market.negRisk ? ctx.addresses.negRiskExchange : ctx.addresses.exchange,
  });
  const orderID = sig.hash.toLowerCase();
  if (!sig.ok) return { answer: rejected(orderID, 'INVALID_SIGNATURE', sig.error), booked: false };
  if (sig.owner !== key.address) return { answer: rejected(orderID, 'INVALID_SIGNATURE', 'invalid signature: the order signer is not the API key owner'), booked: false };
  if (ctx.restart.phase(ctx.now()) === 'post-only' && !w.postOnly) {
    return { answer: rejected(orderID, 'MARKET_NOT_READY', 'the matching engine is in post-only mode after a restart: only cancels and postOnly orders are accepted'), booked: false };
  }
  if (w.orderType !== 'FOK' && w.orderType !== 'FAK' && !w.exactPrice) {
    return { answer: rejected(orderID, 'INVALID_ORDER_MIN_TICK_SIZE', 'makerAmount/takerAmount do not give a price on the tick'), booked: false };
  }
  const input: OrderInput = {
    id: orderID, owner: key.apiKey, maker: w.signed.maker.toLowerCase(), signer: w.signed.signer.toLowerCase(), tokenId: w.tokenId, side: w.side,
    price: w.price, size: w.size, orderType: w.orderType, postOnly: w.postOnly, expiration: w.expiration,
  };
  ctx.funderOfKey.set(key.apiKey, input.maker);
  const r = ctx.engine.submit(input, ctx.now());
  return { answer: insertAnswer(r), booked: r.ok };
}

function rejected(orderID: string, code: string, message: string): Record<string, unknown> {
  return { success: false, orderID, status: '', makingAmount: '', takingAmount: '', errorMsg: code, error: `${code}: ${message}` };
}

function insertAnswer(r: SubmitResult): Record<string, unknown> {
  if (!r.ok) return rejected(r.orderId, r.code, r.message);
  return {
    success: true, orderID: r.orderId, status: r.status, makingAmount: formatMicros(r.makingAmount), takingAmount: formatMicros(r.takingAmount),
    errorMsg: '', tradeIDs: [...r.tradeIds], transactionsHashes: [],
  };
}

export async function postOrder(ctx: ServerContext, key: KeyRecord, req: Req): Promise<Answer> {
  const j = jsonBody(req.rawBody);
  if (!j.ok) return err(400, j.error);
  const r = await placeOne(ctx, key, j.value, 'body');
  if ('error' in r) return err(r.status, r.error);
  if (r.booked && ctx.faults.loseResponse()) return { status: 0, body: null, destroy: true };
  return { status: r.answer.success ? 200 : 400, body: r.answer };
}

export async function postOrders(ctx: ServerContext, key: KeyRecord, req: Req): Promise<Answer> {
  const j = jsonBody(req.rawBody);
  if (!j.ok) return err(400, j.error);
  if (!Array.isArray(j.value)) return err(400, 'Invalid order payload: expected an array of orders');
  if (j.value.length > 15) return err(400, `Too many orders in payload: ${j.value.length} > 15`);
  const out: Record<string, unknown>[] = [];
  let booked = false;
  for (const [i, raw] of j.value.entries()) {
    const r = await placeOne(ctx, key, raw, `body[${i}]`);
    if ('error' in r) out.push({ success: false, orderID: '', status: '', makingAmount: '', takingAmount: '', errorMsg: r.error });
    else {
      out.push(r.answer);
      booked ||= r.booked;
    }
  }
  if (booked && ctx.faults.loseResponse()) return { status: 0, body: null, destroy: true };
  return ok(out);
}

function cancelIds(ctx: ServerContext, key: KeyRecord, ids: readonly string[]): Answer {
  const canceled: string[] = [];
  const notCanceled: Record<string, string> = {};
  for (const id of ids) {
    const why = ctx.engine.cancel(key.apiKey, String(id), ctx.now());
    if (why === undefined) canceled.push(String(id).toLowerCase());
    else notCanceled[String(id)] = why;
  }
  return ok({ canceled, not_canceled: notCanceled });
}

export function deleteOrder(ctx: ServerContext, key: KeyRecord, req: Req): Answer {
  const j = jsonBody(req.rawBody);
  const id = j.ok ? (j.value as { orderID?: unknown } | undefined)?.orderID : undefined;
  if (typeof id !== 'string') return err(400, 'Invalid payload: expected {"orderID": "0x…"}');
  return cancelIds(ctx, key, [id]);
}

export function deleteOrders(ctx: ServerContext, key: KeyRecord, req: Req): Answer {
  const j = jsonBody(req.rawBody);
  if (!j.ok || !Array.isArray(j.value) || !j.value.every((x) => typeof x === 'string')) return err(400, 'Invalid payload: expected an array of order ids');
  if (j.value.length > 1000) return err(400, 'Too many order ids: at most 1000');
  return cancelIds(ctx, key, j.value as string[]);
}

export function cancelAll(ctx: ServerContext, key: KeyRecord): Answer {
  return ok({ canceled: ctx.engine.cancelWhere((o) => o.owner === key.apiKey, ctx.now()), not_canceled: {} });
}

export function cancelMarket(ctx: ServerContext, key: KeyRecord, req: Req): Answer {
  const j = jsonBody(req.rawBody);
  const v = (j.ok ? j.value : undefined) as { market?: string; asset_id?: string } | undefined;
  const market = v?.market?.toLowerCase();
  const asset = v?.asset_id;
  const ids = ctx.engine.cancelWhere((o) => o.owner === key.apiKey && (!market || o.conditionId === market) && (!asset || o.tokenId === asset), ctx.now());
  return ok({ canceled: ids, not_canceled: {} });
}

export function openOrders(ctx: ServerContext, key: KeyRecord, req: Req): Answer {
  const id = req.query.get('id')?.toLowerCase();
  const market = req.query.get('market')?.toLowerCase();
  const asset = req.query.get('asset_id');
  const list = ctx.engine.openOrders().filter((o) => o.owner === key.apiKey && (!id || o.id === id) && (!market || o.conditionId === market) && (!asset || o.tokenId === asset));
  return page(list.map(restOrder), req.query.get('next_cursor'), PAGE);
}

export function getOrder(ctx: ServerContext, key: KeyRecord, id: string): Answer {
  const o = ctx.engine.order(id);
  // Like the real endpoint: live orders of this key only; anything else is null.
  return ok(o && o.owner === key.apiKey && o.status === 'LIVE' ? restOrder(o) : null);
}

/** Trades where this key was taker or one of the makers, newest last. */
export function trades(ctx: ServerContext, key: KeyRecord, req: Req): Answer {
  const q = req.query;
  const id = q.get('id');
  const market = q.get('market')?.toLowerCase();
  const asset = q.get('asset_id');
  const before = q.get('before') ? Number(q.get('before')) : undefined;
  const after = q.get('after') ? Number(q.get('after')) : undefined;
  const mine = (t: SimTrade): 'TAKER' | 'MAKER' | undefined => (t.takerOwner === key.apiKey ? 'TAKER' : t.makers.some((f) => f.owner === key.apiKey) ? 'MAKER' : undefined);
  const rows = ctx.engine.allTrades().flatMap((t) => {
    const side = mine(t);
    if (!side || (id && t.id !== id) || (market && t.conditionId !== market) || (asset && t.tokenId !== asset)) return [];
    const s = t.matchTimeMs / 1000;
    if ((before !== undefined && s >= before) || (after !== undefined && s <= after)) return [];
    return [{ ...tradeBody(t, side, false, t.lastUpdateMs), err_msg: t.status === 'FAILED' ? 'trade failed to settle' : '' }];
  });
  return page(rows, q.get('next_cursor'), PAGE);
}

export function heartbeat(ctx: ServerContext, key: KeyRecord, req: Req): Answer {
  const j = jsonBody(req.rawBody);
  const hid = j.ok ? (j.value as { heartbeat_id?: unknown } | undefined)?.heartbeat_id ?? '' : undefined;
  if (typeof hid !== 'string') return err(400, 'Invalid payload: expected {"heartbeat_id": "…"}');
  const r = ctx.heartbeats.beat(key.apiKey, hid, ctx.now());
  return r.ok ? ok({ heartbeat_id: r.id, error: null }) : err(400, 'Invalid Heartbeat ID', { heartbeat_id: r.current ?? '' });
}

export function balanceAllowance(ctx: ServerContext, key: KeyRecord, req: Req): Answer {
  const type = req.query.get('asset_type');
  const token = req.query.get('token_id');
  if (type !== 'COLLATERAL' && type !== 'CONDITIONAL') return err(400, 'Invalid asset_type: expected COLLATERAL or CONDITIONAL');
  if (type === 'CONDITIONAL' && (!token || !ctx.engine.marketOfToken(token))) return err(400, `Invalid token_id ${JSON.stringify(token)}`);
  const funder = ctx.funderOfKey.get(key.apiKey) ?? key.address;
  const balance = ctx.engine.balances.get(funder, type === 'COLLATERAL' ? COLLATERAL : token!);
  return ok({ balance: balance.toString(), allowances: Object.fromEntries(ctx.addresses.spenders.map((s) => [s, MAX_UINT])) });
}
