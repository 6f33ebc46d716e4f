/**
 * The user channel as a stream of inbound events: one WsConnection, frames through parseUserFrame,
 * events to the sink stamped with our receive time. Emits `connection` on connect/disconnect and a
 * `gap` on heartbeat timeout (the channel has no replay: the engine reconciles over REST after it).
 * API secret and passphrase are registered as secrets (scrubbed from any log line) and leave the
 * process only inside the subscription frame.
 */
import type { Clock } from '../../../../core/clock.ts';
import type { InboundEvent, OrderUpdated } from '../../../../core/events.ts';
import { registerSecret, type Logger } from '../../../../core/logger.ts';
import type { FeedProblem } from './fields.ts';
import { parseUserFrame } from './user-channel.ts';
import { WsConnection, type WsTiming } from './ws-connection.ts';

export interface ApiCredentials {
  readonly apiKey: string;
  readonly secret: string;
  readonly passphrase: string;
}

export interface UserFeedOptions {
  /** wss://ws-subscriptions-clob.polymarket.com/ws/user, or a loopback URL in tests. */
  readonly url: string;
  readonly sink: (e: InboundEvent) => void;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly credentials: ApiCredentials;
  /** The funder (maker) address, for attribution of maker fills. */
  readonly funder: string;
  /** Condition ids to follow; empty = every market of the key. */
  readonly markets?: readonly string[];
  /** True for our order ids (known open and recently closed ones). */
  readonly ourOrderIds: (orderId: string) => boolean;
  readonly timing?: Partial<WsTiming>;
  readonly random?: () => number;
  /** Called with every problem (the feed also counts and logs them). */
  readonly onProblem?: (p: FeedProblem) => void;
}

export interface UserFeedStats {
  readonly frames: number;
  readonly problems: number;
  readonly problemsByCode: Readonly<Record<string, number>>;
  readonly events: number;
  readonly reconnects: number;
  /** Delays of the most recent scheduled reconnects, ms. */
  readonly reconnectDelaysMs: readonly number[];
  readonly heartbeatTimeouts: number;
  readonly pongs: number;
  /** Order updates whose size_matched rose while naming trades we have not seen (gap evidence). */
  readonly sizeMatchedWithoutTrade: number;
}

const SEEN_TRADES_MAX = 10_000;

export class UserFeed {
  private readonly conn: WsConnection;
  private readonly markets: Set<string>;
  private problems = 0;
  private readonly byCode: Record<string, number> = {};
  private events = 0;
  private sizeMatchedWithoutTrade = 0;
  private readonly seenTrades = new Set<string>();
  private readonly lastMatched = new Map<string, bigint>();

  constructor(private readonly opts: UserFeedOptions) {
    registerSecret(opts.credentials.secret);
    registerSecret(opts.credentials.passphrase);
    this.markets = new Set(opts.markets ?? []);
    this.conn = new WsConnection({
      url: opts.url, channel: 'user', clock: opts.clock, logger: opts.logger,
      subscription: () => JSON.stringify({
        auth: { apiKey: opts.credentials.apiKey, secret: opts.credentials.secret, passphrase: opts.credentials.passphrase },
        type: 'user', markets: [...this.markets],
      }),
      onFrame: (text) => this.onFrame(text),
      onConnected: () => opts.sink({ type: 'connection', at: opts.clock.now(), channel: 'user', state: 'connected' }),
      onDisconnected: () => opts.sink({ type: 'connection', at: opts.clock.now(), channel: 'user', state: 'disconnected' }),
      onHeartbeatTimeout: (silentMs) => opts.sink({ type: 'gap', at: opts.clock.now(), channel: 'user', reason: `heartbeat timeout: no message for ${silentMs} ms` }),
      ...(opts.timing ? { timing: opts.timing } : {}),
      ...(opts.random ? { random: opts.random } : {}),
    });
  }

  start(): void {
    this.conn.start();
  }

  stop(): Promise<void> {
    return this.conn.stop();
  }

  get state() {
    return this.conn.state;
  }

  /** Follows more markets: sent at once when connected, and part of every later subscription. */
  subscribe(markets: readonly string[]): void {
    const added = markets.filter((m) => !this.markets.has(m));
    for (const m of added) this.markets.add(m);
    if (added.length) this.conn.send(JSON.stringify({ operation: 'subscribe', markets: added }));
  }

  /** Stops following markets. Note: a subscription with no market left means every market of the key. */
  unsubscribe(markets: readonly string[]): void {
    const removed = markets.filter((m) => this.markets.delete(m));
    if (removed.length) this.conn.send(JSON.stringify({ operation: 'unsubscribe', markets: removed }));
  }

  stats(): UserFeedStats {
    const c = this.conn.stats;
    return {
      frames: c.frames, problems: this.problems, problemsByCode: { ...this.byCode }, events: this.events, reconnects: c.reconnects, reconnectDelaysMs: [...c.lastDelaysMs],
      heartbeatTimeouts: c.heartbeatTimeouts, pongs: c.pongs, sizeMatchedWithoutTrade: this.sizeMatchedWithoutTrade,
    };
  }

  private onFrame(text: string): void {
    const r = parseUserFrame(text, { ourOrderIds: this.opts.ourOrderIds, apiKey: this.opts.credentials.apiKey, funder: this.opts.funder, now: this.opts.clock.now() });
    for (const id of r.tradeIds) this.remember(id);
    for (const p of r.problems) {
      this.problems++;
      this.byCode[p.code] = (this.byCode[p.code] ?? 0) + 1;
      this.opts.logger[p.code === 'TEXT_FRAME' ? 'debug' : 'warn']({ channel: 'user', code: p.code, where: p.where }, p.message);
      this.opts.onProblem?.(p);
    }
    let detail = 0;
    for (const e of r.events) {
      if (e.type === 'order') this.checkSizeMatched(e, r.orderDetails[detail++]?.associateTrades ?? []);
      this.events++;
      this.opts.sink(e);
    }
  }

  /** size_matched moved without the trade having been seen: report it (the engine's grace timer decides). */
  private checkSizeMatched(e: OrderUpdated, trades: readonly string[]): void {
    if (e.sizeMatched === undefined) return;
    const before = this.lastMatched.get(e.orderId) ?? 0n;
    this.lastMatched.delete(e.orderId);
    this.lastMatched.set(e.orderId, e.sizeMatched);
    if (this.lastMatched.size > SEEN_TRADES_MAX) this.lastMatched.delete(this.lastMatched.keys().next().value!);
    if (e.sizeMatched > before && !trades.every((t) => this.seenTrades.has(t))) {
      this.sizeMatchedWithoutTrade++;
      this.opts.logger.info({ channel: 'user', orderId: e.orderId, sizeMatched: e.sizeMatched.toString(), trades }, 'size_matched moved before its trade was seen');
    }
  }

  private remember(tradeId: string): void {
    this.seenTrades.add(tradeId);
    if (this.seenTrades.size > SEEN_TRADES_MAX) this.seenTrades.delete(this.seenTrades.values().next().value!);
  }
}
