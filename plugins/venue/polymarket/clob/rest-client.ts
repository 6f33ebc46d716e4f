/**
 * The Polymarket CLOB V2 REST client: market metadata, API keys, order signing and placement,
 * cancels, lookups, open orders and trades (cursor-paginated), balances and heartbeats. Methods
 * return the venue contract's types (PreparedOrder, PlaceOutcome, CancelOutcome, OrderStatusReport,
 * FillReport, MarketInfo) so the `polymarket` venue plugin only wires them to its feeds.
 *
 * Submits are refused locally (a `rejected` outcome with a clear code, nothing sent) while the
 * heartbeat is failing (HEARTBEAT_FAILED), while the venue asked us to back off (BACKOFF_ACTIVE),
 * for non-post-only orders in the two minutes after a 425 (POST_ONLY_WINDOW), and beyond the
 * client-side rate limits (RATE_LIMITED_LOCAL). An order whose POST outcome is unknown is never
 * re-posted: resolve it with `lookupOrder`.
 */
import { parseNonNegativeMicros, type Micros } from '../../../../core/amounts.ts';
import { SystemClock, type Clock } from '../../../../core/clock.ts';
import { PolyquoteError } from '../../../../core/errors.ts';
import type { BookUpdated } from '../../../../core/events.ts';
import type { Logger } from '../../../../core/logger.ts';
import type {
  CancelOutcome, CancelTarget, FillReport, MarketInfo, OrderIntent, OrderStatusReport, PlaceOutcome, PreparedOrder, RateBudget,
} from '../../../../core/venue/venue.ts';
import type { Address, Hex } from 'viem';
import { z } from 'zod';
import { attributeTrade, type Identity } from './attribution.ts';
import type { ApiCreds } from './auth.ts';
import { ClobError, ClobHttp, parseAnswer, statusError, type ClobRequest } from './clob-http.ts';
import { TradingGuard } from './guard.ts';
import { Heartbeats } from './heartbeats.ts';
import { cancelOrders } from './cancels.ts';
import { paginate } from './pagination.ts';
import { isVersionMismatch, placeOutcomes } from './placement.ts';
import { RateLimiter, type RateLimitConfig } from './rate-limit.ts';
import { balanceReport, bookEvent, marketInfo, orderReport, reportFromFills } from './reports.ts';
import * as S from './schemas.ts';
import { OrderSigner, orderPayload, type OrderSignerOptions, type SignatureType, type SignedOrder } from './signing.ts';

export { END_CURSOR, INITIAL_CURSOR } from './pagination.ts';
const MAX_BATCH = 15;

export interface ClobClientOptions {
  readonly baseUrl: string;
  readonly privateKey: Hex;
  readonly signatureType: SignatureType;
  readonly funder?: Address;
  readonly chainId?: number;
  /** API credentials; without them call `createOrDeriveApiKey()` first. */
  readonly creds?: ApiCreds;
  readonly clock?: Clock;
  readonly timeoutMs?: number;
  readonly salt?: OrderSignerOptions['salt'];
  readonly rateLimits?: RateLimitConfig;
  /** Heartbeat interval; 0 disables the dead-man switch (and its submit gate). Default 5000. */
  readonly heartbeatIntervalMs?: number;
  /** Page cap for /data/orders and /data/trades: more pages is an incomplete answer, an error. */
  readonly maxPages?: number;
  readonly logger?: Logger;
  /** How many of the order ids we signed are remembered for trade attribution (newest kept). Default 100 000. */
  readonly ownOrderMemory?: number;
}

/** Order ids we signed, remembered for trade attribution: enough for days of quoting, bounded for months. */
const OWN_ORDER_MEMORY = 100_000;

/** The venue-specific part of a PreparedOrder. */
export interface ClobPayload {
  readonly signed: SignedOrder;
  readonly version: 2 | 3;
  readonly tickSize: Micros;
}

export class ClobClient {
  readonly http: ClobHttp;
  readonly guard: TradingGuard;
  readonly limiter: RateLimiter;
  readonly heartbeats: Heartbeats | undefined;
  private readonly clock: Clock;
  private readonly signers = new Map<number, OrderSigner>();
  private version: 2 | 3 = 2;
  private readonly tokenMarkets = new Map<string, { tickSize: Micros; negRisk: boolean; marketId?: string }>();
  private readonly markets = new Map<string, MarketInfo>();
  private readonly marketLookups = new Map<string, Promise<{ tickSize: Micros; negRisk: boolean }>>();
  /**
   * Order ids we signed, oldest first, for trade attribution. Bounded by count: an older order is still
   * attributed while the engine knows it (`setKnownOrderIds`), by our API key (owner) or by the funder.
   */
  private readonly ownOrders = new Set<string>();
  private knownOrderIds: () => Iterable<string> = () => [];

  constructor(private readonly o: ClobClientOptions) {
    this.clock = o.clock ?? new SystemClock();
    this.guard = new TradingGuard(this.clock);
    this.limiter = new RateLimiter(this.clock.now(), o.rateLimits);
    const signer = this.signerFor(2);
    this.http = new ClobHttp({
      baseUrl: o.baseUrl, clock: this.clock, timeoutMs: o.timeoutMs ?? 5_000, privateKey: o.privateKey, address: signer.eoa,
      chainId: signer.chainId, limiter: this.limiter, guard: this.guard, ...(o.logger ? { logger: o.logger } : {}),
    });
    if (o.creds) this.http.creds = o.creds;
    const every = o.heartbeatIntervalMs ?? 5_000;
    this.heartbeats = every > 0 ? new Heartbeats((id) => this.postHeartbeat(id), this.clock, every, o.logger) : undefined;
  }

  /** The signer EOA, maker (funder) and signer address of our orders. */
  get identity(): { eoa: Address; maker: Address; signer: Address; apiKey?: string } {
    const s = this.signerFor(this.version);
    return { eoa: s.eoa, maker: s.maker, signer: s.signer, ...(this.http.creds ? { apiKey: this.http.creds.key } : {}) };
  }

  /** Order ids the engine knows as ours (after a restart), for trade attribution. */
  setKnownOrderIds(fn: () => Iterable<string>): void {
    this.knownOrderIds = fn;
  }

  /** Reads /version, derives API credentials when none were given, and starts the heartbeats. */
  async start(): Promise<void> {
    await this.getVersion();
    if (!this.http.creds) await this.createOrDeriveApiKey();
    this.heartbeats?.start();
  }

  // ---- metadata and reads ------------------------------------------------------------------

  async getVersion(): Promise<2 | 3> {
    const v = (await this.http.call({ method: 'GET', path: '/version', auth: 'none' }, S.versionSchema)).version;
    if (v !== 2 && v !== 3) throw new ClobError('VENUE_VERSION_UNSUPPORTED', 'GET /version', `expected version 2 or 3, got ${v}`);
    this.version = v;
    return v;
  }

  /** Server time (unix s); also sets the offset used for auth timestamps. */
  async syncServerTime(): Promise<number> {
    const before = this.clock.now();
    const t = await this.http.call({ method: 'GET', path: '/time', auth: 'none' }, S.timeSchema);
    this.http.serverOffsetMs = t * 1000 - Math.round((before + this.clock.now()) / 2);
    return t;
  }

  async getTickSize(tokenId: string): Promise<Micros> {
    const r = await this.http.call({ method: 'GET', path: '/tick-size', query: { token_id: tokenId }, auth: 'none' }, S.tickSizeSchema);
    return parseNonNegativeMicros(r.minimum_tick_size, 'GET /tick-size minimum_tick_size');
  }

  async getNegRisk(tokenId: string): Promise<boolean> {
    return (await this.http.call({ method: 'GET', path: '/neg-risk', query: { token_id: tokenId }, auth: 'none' }, S.negRiskSchema)).neg_risk;
  }

  /** GET /clob-markets/{conditionId} → MarketInfo; remembers tick and neg-risk per token for signing. */
  async getMarketInfo(conditionId: string): Promise<MarketInfo> {
    const path = `/clob-markets/${conditionId}`;
    const raw = await this.http.call({ method: 'GET', path, auth: 'none' }, S.clobMarketSchema);
    const info = marketInfo(conditionId, raw, `GET ${path}`);
    this.markets.set(conditionId, info);
    for (const t of info.tokens) this.tokenMarkets.set(t, { tickSize: info.tickSize, negRisk: info.negRisk, marketId: conditionId });
    return info;
  }

  /** Markets loaded by getMarketInfo. */
  cachedMarkets(): MarketInfo[] {
    return [...this.markets.values()];
  }

  /** A tick_size_change from the market feed: later orders on `tokenId` use the new tick. */
  updateTickSize(tokenId: string, tickSize: Micros): void {
    const cur = this.tokenMarkets.get(tokenId);
    if (cur) this.tokenMarkets.set(tokenId, { ...cur, tickSize });
  }

  /** GET /book as a BookUpdated event (exact levels, sorted best first). */
  async getBook(tokenId: string): Promise<BookUpdated> {
    const raw = await this.http.call({ method: 'GET', path: '/book', query: { token_id: tokenId }, auth: 'none' }, S.bookSchema);
    return bookEvent(raw, this.clock.now());
  }

  /** POST /auth/api-key, falling back to GET /auth/derive-api-key when the key exists; sets the creds. */
  async createOrDeriveApiKey(nonce = 0): Promise<ApiCreds> {
    let raw: z.infer<typeof S.apiKeySchema> | undefined;
    try {
      raw = await this.http.call({ method: 'POST', path: '/auth/api-key', auth: 'l1', nonce }, S.apiKeySchema);
    } catch (err) {
      if (!(err instanceof ClobError) || err.code === 'CLOB_TIMEOUT' || err.code === 'CLOB_UNREACHABLE') throw err;
    }
    raw ??= await this.http.call({ method: 'GET', path: '/auth/derive-api-key', auth: 'l1', nonce }, S.apiKeySchema);
    const creds = { key: raw.apiKey, secret: raw.secret, passphrase: raw.passphrase };
    this.http.creds = creds;
    return creds;
  }

  async balanceAllowance(assetType: 'COLLATERAL' | 'CONDITIONAL', tokenId?: string): Promise<{ balance: Micros; allowances: Record<string, bigint> }> {
    const query = { asset_type: assetType, token_id: tokenId, signature_type: String(this.o.signatureType) };
    const r = await this.http.call({ method: 'GET', path: '/balance-allowance', query, auth: 'l2' }, S.balanceAllowanceSchema);
    return balanceReport(r);
  }

  /** One heartbeat with the chained id; resolves with the next id. */
  async postHeartbeat(heartbeatId: string): Promise<string> {
    const r = await this.http.call({ method: 'POST', path: '/v1/heartbeats', body: JSON.stringify({ heartbeat_id: heartbeatId }), auth: 'l2' }, S.heartbeatSchema);
    return r.heartbeat_id ?? '';
  }

  // ---- orders --------------------------------------------------------------------------------

  /** Signs an intent with the market's tick and neg-risk flag (fetched once per token). */
  async prepare(intent: OrderIntent): Promise<PreparedOrder> {
    if (intent.postOnly && (intent.orderType === 'FOK' || intent.orderType === 'FAK')) {
      throw new PolyquoteError('INVALID_POST_ONLY_ORDER_TYPE', `expected GTC or GTD with postOnly, got ${intent.orderType} at intent.orderType`);
    }
    if ((intent.orderType === 'GTD') !== (intent.expiresAt !== undefined)) {
      throw new PolyquoteError('ORDER_INVALID', `expected expiresAt exactly for GTD orders, got ${intent.orderType} with expiresAt ${String(intent.expiresAt)} at intent.expiresAt`);
    }
    const market = await this.marketOf(intent.tokenId);
    return this.signIntent(intent, market, this.version);
  }

  private async marketOf(tokenId: string): Promise<{ tickSize: Micros; negRisk: boolean }> {
    const known = this.tokenMarkets.get(tokenId);
    if (known) return known;
    // One lookup per token even when many orders are prepared at once.
    let pending = this.marketLookups.get(tokenId);
    if (!pending) {
      pending = Promise.all([this.getTickSize(tokenId), this.getNegRisk(tokenId)])
        .then(([tickSize, negRisk]) => {
          const m = this.tokenMarkets.get(tokenId) ?? { tickSize, negRisk };
          this.tokenMarkets.set(tokenId, m);
          return m;
        })
        .finally(() => this.marketLookups.delete(tokenId));
      this.marketLookups.set(tokenId, pending);
    }
    return pending;
  }

  private async signIntent(intent: OrderIntent, market: { tickSize: Micros; negRisk: boolean }, version: 2 | 3): Promise<PreparedOrder> {
    const signed = await this.signerFor(version).sign({
      tokenId: intent.tokenId, side: intent.side, price: intent.price, size: intent.size, tickSize: market.tickSize, negRisk: market.negRisk,
      ...(intent.expiresAt !== undefined ? { expiration: Math.floor(intent.expiresAt / 1000) } : {}),
    });
    this.ownOrders.add(signed.orderId.toLowerCase());
    if (this.ownOrders.size > (this.o.ownOrderMemory ?? OWN_ORDER_MEMORY)) this.ownOrders.delete(this.ownOrders.values().next().value!);
    const payload: ClobPayload = { signed, version, tickSize: market.tickSize };
    return { orderId: signed.orderId, intent, payload };
  }

  private signerFor(version: 2 | 3): OrderSigner {
    let s = this.signers.get(version);
    if (!s) {
      s = new OrderSigner({
        privateKey: this.o.privateKey, signatureType: this.o.signatureType, version,
        ...(this.o.funder ? { funder: this.o.funder } : {}), ...(this.o.chainId ? { chainId: this.o.chainId } : {}),
        ...(this.o.salt ? { salt: this.o.salt } : {}), clock: this.clock,
      });
      this.signers.set(version, s);
    }
    return s;
  }

  /** Posts prepared orders (POST /order for one, POST /orders in batches of ≤ 15); one outcome each, in order. */
  async place(orders: readonly PreparedOrder[]): Promise<PlaceOutcome[]> {
    const out: PlaceOutcome[] = [];
    for (let i = 0; i < orders.length; i += MAX_BATCH) out.push(...(await this.placeBatch(orders.slice(i, i + MAX_BATCH), true)));
    return out;
  }

  private async placeBatch(batch: readonly PreparedOrder[], mayResign: boolean): Promise<PlaceOutcome[]> {
    const refuse = (code: string, reason: string, retryable = true): PlaceOutcome[] =>
      batch.map((p) => ({ kind: 'rejected', orderId: p.orderId, code, reason, retryable }));
    if (this.heartbeats && !this.heartbeats.ok) return refuse('HEARTBEAT_FAILED', `heartbeats are failing (${this.heartbeats.lastError ?? 'none succeeded yet'}): submits refused`);
    const refusal = this.guard.refuseOrders(batch.every((p) => p.intent.postOnly));
    if (refusal) return refuse(refusal.code, refusal.reason);
    const owner = this.http.creds?.key ?? '';
    const bodies = batch.map((p) => orderPayload(payloadOf(p).signed, owner, p.intent.orderType, p.intent.postOnly));
    const req: ClobRequest = batch.length === 1
      ? { method: 'POST', path: '/order', body: JSON.stringify(bodies[0]), auth: 'l2', signer: 'orders', signerCost: 1 }
      : { method: 'POST', path: '/orders', body: JSON.stringify(bodies), auth: 'l2', signer: 'orders', signerCost: batch.length };
    const endpoint = this.http.endpointKey(req);
    let answer;
    try {
      answer = await this.http.send(req);
    } catch (err) {
      if (err instanceof ClobError && err.maybeSent) return batch.map((p) => ({ kind: 'unknown', orderId: p.orderId, error: err.message }));
      const e = err as PolyquoteError;
      return refuse(e.code ?? 'CLOB_REQUEST_FAILED', e.message, e.retryable ?? false);
    }
    const outcomes = placeOutcomes(endpoint, batch.map((p) => p.orderId), answer);
    const ids = Array.isArray(answer.json) ? answer.json : [answer.json];
    ids.forEach((r, i) => {
      const venueId = (r as { orderID?: unknown } | null)?.orderID;
      if (typeof venueId === 'string' && venueId && batch[i] && venueId.toLowerCase() !== batch[i].orderId.toLowerCase()) {
        this.o.logger?.warn({ endpoint, ours: batch[i].orderId, venue: venueId }, 'venue order id differs from our EIP-712 hash');
      }
    });
    // order_version_mismatch: refetch /version and re-sign once — only the orders refused for it
    // (in a batch the others may be live already and must not be posted twice).
    const stale = outcomes.flatMap((o, i) => (o.kind === 'rejected' && o.code === 'order_version_mismatch' ? [i] : []));
    if (mayResign && stale.length && isVersionMismatch(answer)) {
      const before = this.version;
      const now = await this.getVersion().catch(() => before);
      if (now !== before || stale.some((i) => payloadOf(batch[i]!).version !== now)) {
        this.o.logger?.warn({ endpoint, from: before, to: now, orders: stale.length }, 'order_version_mismatch: re-signing once with the venue version');
        const resigned = await Promise.all(stale.map(async (i) => this.signIntent(batch[i]!.intent, await this.marketOf(batch[i]!.intent.tokenId), now)));
        const again = await this.placeBatch(resigned, false);
        stale.forEach((i, k) => (outcomes[i] = again[k]!));
      }
    }
    return outcomes;
  }

  /** Cancels by ids (DELETE /order, /orders ≤ 1000 a request), by market/token, or all. Never gated. */
  cancel(target: CancelTarget): Promise<CancelOutcome> {
    return cancelOrders(this.http, (n) => this.limiter.cancels.take(n, this.clock.now()), target);
  }

  /**
   * Looks an order up: GET /data/order/{id} (live orders), then — with `hint.marketId` — our trades
   * in that market, so an order that filled and left the book is still found. Undefined: unknown.
   */
  async lookupOrder(orderId: string, hint: { marketId?: string; intent?: OrderIntent } = {}): Promise<OrderStatusReport | undefined> {
    const path = `/data/order/${orderId}`;
    const answer = await this.http.send({ method: 'GET', path, auth: 'l2' });
    if (answer.status !== 404) {
      if (answer.status < 200 || answer.status >= 300) throw statusError(`GET ${path}`, answer);
      const empty = answer.json === undefined || answer.json === null || (typeof answer.json === 'object' && Object.keys(answer.json).length === 0);
      if (!empty) return orderReport(parseAnswer(`GET ${path}`, answer, S.openOrderSchema), `GET ${path}`);
    }
    if (!hint.marketId) return undefined;
    const fills = (await this.recentTrades({ marketId: hint.marketId })).filter((f) => f.orderId.toLowerCase() === orderId.toLowerCase());
    if (fills.length === 0) return undefined;
    return reportFromFills(orderId, hint.marketId, fills, hint.intent);
  }

  /** Our open orders (GET /data/orders, every page). */
  async openOrders(filter: { marketId?: string; tokenId?: string } = {}): Promise<OrderStatusReport[]> {
    const rows = await this.paginate('/data/orders', { market: filter.marketId, asset_id: filter.tokenId }, S.openOrderSchema);
    return rows.map(([row, where]) => orderReport(row, where));
  }

  /** Our fills by market (never by asset: that filters by the taker's token), attributed to us. */
  async recentTrades(filter: { marketId?: string; afterMs?: number } = {}): Promise<FillReport[]> {
    const query = { market: filter.marketId, after: filter.afterMs === undefined ? undefined : String(Math.floor(filter.afterMs / 1000)) };
    const rows = await this.paginate('/data/trades', query, S.tradeSchema);
    const us = this.attributionIdentity();
    return rows.flatMap(([t, where]) => attributeTrade(t, us, where));
  }

  private attributionIdentity(): Identity {
    const known = new Set([...this.knownOrderIds()].map((i) => i.toLowerCase()));
    return {
      isOurOrder: (id) => this.ownOrders.has(id.toLowerCase()) || known.has(id.toLowerCase()),
      ...(this.http.creds ? { apiKey: this.http.creds.key } : {}),
      funder: this.signerFor(this.version).maker,
    };
  }

  private paginate<T extends z.ZodType>(path: string, query: Record<string, string | undefined>, item: T): Promise<[z.infer<T>, string][]> {
    return paginate(this.http, path, query, item, this.o.maxPages ?? 100);
  }

  // ---- state ---------------------------------------------------------------------------------

  rateBudget(): RateBudget {
    const now = this.clock.now();
    return { orders: this.limiter.orders.snapshot(now), cancels: this.limiter.cancels.snapshot(now) };
  }

  health(): { heartbeatOk: boolean; postOnlyUntil?: number; backoffUntil?: number; lastError?: string } {
    return {
      heartbeatOk: this.heartbeats ? this.heartbeats.ok : true,
      ...this.guard.active(),
      ...(this.guard.lastError ?? this.heartbeats?.lastError ? { lastError: this.guard.lastError ?? this.heartbeats?.lastError } : {}),
    };
  }

  dispose(): void {
    this.heartbeats?.stop();
  }
}

function payloadOf(p: PreparedOrder): ClobPayload {
  const pl = p.payload as ClobPayload | undefined;
  if (!pl?.signed?.order) throw new PolyquoteError('ORDER_INVALID', `expected an order prepared by the Polymarket CLOB client at order ${p.orderId}`);
  return pl;
}
