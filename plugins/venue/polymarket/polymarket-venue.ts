/**
 * The Polymarket venue: the V2 REST trading client (./clob) and the user and market websocket
 * feeds (./feeds) behind the venue contract (core/venue/venue.ts). What runs against Polymarket
 * itself runs unchanged against the embedded simulator: only the URLs differ.
 *
 * connect(): version check, API key create-or-derive (L1), market metadata for the configured
 * markets, feeds (user channel for our orders and trades, market channel for both tokens of every
 * market), and the dead-man-switch heartbeats. Reconciliation over REST is the core's
 * VenueReconciler, fed by `openOrders()` / `recentTrades()`.
 */
import type { Hex } from 'viem';
import type { Clock } from '../../../core/clock.ts';
import { PolyquoteError } from '../../../core/errors.ts';
import type { InboundEvent } from '../../../core/events.ts';
import { registerSecret, type Logger } from '../../../core/logger.ts';
import type {
  CancelOutcome, CancelTarget, FillReport, MarketInfo, OrderIntent, OrderStatusReport, PlaceOutcome, PreparedOrder, RateBudget, Venue, VenueConnectOptions, VenueHealth, VenueSink,
} from '../../../core/venue/venue.ts';
import { ClobClient } from './clob/rest-client.ts';
import type { SignatureType } from './clob/signing.ts';
import { MarketFeed, UserFeed, type FeedProblem } from './feeds/index.ts';

export interface PolymarketVenueOptions {
  readonly clobUrl: string;
  readonly userWsUrl: string;
  readonly marketWsUrl: string;
  readonly chainId: number;
  readonly privateKey: Hex;
  readonly signatureType: SignatureType;
  readonly funder?: `0x${string}`;
  readonly markets: readonly string[];
  readonly apiCreds?: { key: string; secret: string; passphrase: string };
  readonly heartbeatIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class PolymarketVenue implements Venue {
  readonly kind = 'polymarket';
  readonly client: ClobClient;
  private userFeed: UserFeed | undefined;
  private marketFeed: MarketFeed | undefined;
  private marketList: readonly MarketInfo[] = [];
  private problems = 0;
  private readonly feedState: Record<'user' | 'market', VenueHealth['userFeed']> = { user: 'connecting', market: 'connecting' };
  private disposed = false;

  constructor(private readonly o: PolymarketVenueOptions) {
    registerSecret(o.privateKey);
    if (o.apiCreds) {
      registerSecret(o.apiCreds.secret);
      registerSecret(o.apiCreds.passphrase);
    }
    this.client = new ClobClient({
      baseUrl: o.clobUrl, privateKey: o.privateKey, signatureType: o.signatureType, chainId: o.chainId, clock: o.clock,
      timeoutMs: o.requestTimeoutMs, heartbeatIntervalMs: o.heartbeatIntervalMs, logger: o.logger,
      ...(o.funder && { funder: o.funder }), ...(o.apiCreds && { creds: o.apiCreds }),
    });
  }

  async connect(sink: VenueSink, options: VenueConnectOptions): Promise<void> {
    if (this.disposed) throw new PolyquoteError('VENUE_DISPOSED', 'polymarket venue used after dispose()');
    await this.client.getVersion();
    const creds = this.o.apiCreds ?? (await this.client.createOrDeriveApiKey());
    registerSecret(creds.secret);
    registerSecret(creds.passphrase);
    const infos: MarketInfo[] = [];
    for (const id of this.o.markets) infos.push(await this.client.getMarketInfo(id));
    this.marketList = infos;
    this.client.setKnownOrderIds(options.knownOrderIds);
    const onProblem = (p: FeedProblem) => {
      this.problems++;
      if (this.problems <= 20 || this.problems % 1000 === 0) this.o.logger.warn({ problem: p, total: this.problems }, 'feed frame skipped');
    };
    const feedSink = (e: InboundEvent) => {
      if (e.type === 'connection') this.feedState[e.channel] = e.state === 'connected' ? 'connected' : 'disconnected';
      if (e.type === 'book_delta' && e.tickSize !== undefined) this.client.updateTickSize(e.tokenId, e.tickSize);
      if (e.type === 'book' && e.tickSize !== undefined) this.client.updateTickSize(e.tokenId, e.tickSize);
      sink(e);
    };
    const funder = this.client.identity.maker;
    this.userFeed = new UserFeed({
      url: this.o.userWsUrl, sink: feedSink, clock: this.o.clock, logger: this.o.logger.child({ feed: 'user' }),
      credentials: { apiKey: creds.key, secret: creds.secret, passphrase: creds.passphrase }, funder,
      markets: infos.map((m) => m.marketId), ourOrderIds: options.isOurOrder, onProblem,
    });
    const assets = [...new Set([...infos.flatMap((m) => [...m.tokens]), ...options.tokenIds])];
    this.marketFeed = new MarketFeed({ url: this.o.marketWsUrl, sink: feedSink, clock: this.o.clock, logger: this.o.logger.child({ feed: 'market' }), assetIds: assets, onProblem });
    this.userFeed.start();
    this.marketFeed.start();
    this.client.heartbeats?.start();
    this.o.logger.info({ markets: infos.map((m) => m.marketId), funder, signer: this.client.identity.signer }, 'polymarket venue connected');
  }

  markets(): readonly MarketInfo[] {
    return this.marketList;
  }

  prepare(intent: OrderIntent): Promise<PreparedOrder> {
    return this.client.prepare(intent);
  }

  place(orders: readonly PreparedOrder[]): Promise<readonly PlaceOutcome[]> {
    return this.client.place(orders);
  }

  cancel(target: CancelTarget): Promise<CancelOutcome> {
    return this.client.cancel(target);
  }

  lookupOrder(orderId: string): Promise<OrderStatusReport | undefined> {
    return this.client.lookupOrder(orderId);
  }

  openOrders(filter?: { readonly marketId?: string }): Promise<readonly OrderStatusReport[]> {
    return this.client.openOrders(filter?.marketId ? { marketId: filter.marketId } : {});
  }

  recentTrades(filter: { readonly marketId?: string; readonly afterMs?: number }): Promise<readonly FillReport[]> {
    return this.client.recentTrades({ ...(filter.marketId && { marketId: filter.marketId }), ...(filter.afterMs !== undefined && { afterMs: filter.afterMs }) });
  }

  health(): VenueHealth {
    const h = this.client.health();
    const u = this.userFeed?.stats();
    const m = this.marketFeed?.stats();
    return {
      userFeed: this.feedState.user, marketFeed: this.feedState.market,
      heartbeatOk: h.heartbeatOk, reconnects: (u?.reconnects ?? 0) + (m?.reconnects ?? 0),
      ...(h.postOnlyUntil !== undefined && { postOnlyUntil: h.postOnlyUntil }), ...(h.backoffUntil !== undefined && { backoffUntil: h.backoffUntil }),
      ...(h.lastError !== undefined && { lastError: h.lastError }),
    };
  }

  rateBudget(): RateBudget {
    return this.client.rateBudget();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.client.dispose();
    await Promise.all([this.userFeed?.stop(), this.marketFeed?.stop()]);
  }
}
