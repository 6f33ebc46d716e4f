/**
 * The market channel over as many connections as needed: at most `maxAssetsPerConnection` (the
 * venue's limit is 500) assets each. Frames → book / book_delta events to the sink; informational
 * messages (best bid/ask, last trade, resolution) to `onInfo`. The channel counts as connected only
 * while every connection is: one `connection` event per change of that combined state. A heartbeat
 * timeout on any connection is a `gap` (its books may have missed deltas).
 */
import type { Clock } from '../../../../core/clock.ts';
import type { InboundEvent } from '../../../../core/events.ts';
import type { Logger } from '../../../../core/logger.ts';
import type { FeedProblem } from './fields.ts';
import { parseMarketFrame, type BestQuotes, type MarketInfo } from './market-channel.ts';
import { WsConnection, type WsConnectionStats, type WsTiming } from './ws-connection.ts';

export interface MarketFeedOptions {
  readonly url: string;
  readonly sink: (e: InboundEvent) => void;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly assetIds?: readonly string[];
  readonly maxAssetsPerConnection?: number;
  readonly onInfo?: (info: MarketInfo) => void;
  /** The venue's best bid/ask after price changes, to check kept books with BookState.agreesWith. */
  readonly onBestQuotes?: (quotes: readonly BestQuotes[], at: number) => void;
  readonly onProblem?: (p: FeedProblem) => void;
  readonly timing?: Partial<WsTiming>;
  readonly random?: () => number;
}

export interface MarketFeedStats {
  readonly connections: number;
  readonly frames: number;
  readonly problems: number;
  readonly problemsByCode: Readonly<Record<string, number>>;
  readonly events: number;
  readonly reconnects: number;
  readonly heartbeatTimeouts: number;
}

interface Shard {
  readonly assets: Set<string>;
  readonly conn: WsConnection;
  connected: boolean;
  everConnected: boolean;
}

export class MarketFeed {
  private readonly shards: Shard[] = [];
  private readonly max: number;
  private started = false;
  private combinedConnected = false;
  private problems = 0;
  private readonly byCode: Record<string, number> = {};
  private events = 0;
  /** Stats of connections already closed (an emptied shard), so totals never go back. */
  private readonly retired = { frames: 0, reconnects: 0, heartbeatTimeouts: 0 };

  constructor(private readonly opts: MarketFeedOptions) {
    this.max = opts.maxAssetsPerConnection ?? 500;
    if (!Number.isInteger(this.max) || this.max < 1) throw new RangeError(`expected a positive integer maxAssetsPerConnection, got ${this.max}`);
    this.place([...new Set(opts.assetIds ?? [])]);
  }

  start(): void {
    this.started = true;
    for (const s of this.shards) s.conn.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all(this.shards.map((s) => s.conn.stop()));
  }

  /** Follows more assets: on a connection with room (sent at once when open), else on a new connection. */
  subscribe(assetIds: readonly string[]): void {
    const known = new Set(this.shards.flatMap((s) => [...s.assets]));
    const fresh: string[] = [];
    for (const a of assetIds) if (!known.has(a)) { known.add(a); fresh.push(a); }
    this.place(fresh);
  }

  /** Stops following assets; a connection left with none is closed. */
  unsubscribe(assetIds: readonly string[]): void {
    for (const shard of [...this.shards]) {
      const removed = assetIds.filter((a) => shard.assets.delete(a));
      if (!removed.length) continue;
      if (shard.assets.size === 0) {
        this.shards.splice(this.shards.indexOf(shard), 1);
        this.retire(shard.conn.stats);
        void shard.conn.stop();
        this.updateCombined();
      } else {
        shard.conn.send(JSON.stringify({ operation: 'unsubscribe', assets_ids: removed }));
      }
    }
  }

  /** Assets per connection, in connection order. */
  layout(): string[][] {
    return this.shards.map((s) => [...s.assets]);
  }

  stats(): MarketFeedStats {
    const sum = (k: 'frames' | 'reconnects' | 'heartbeatTimeouts') => this.retired[k] + this.shards.reduce((n, s) => n + s.conn.stats[k], 0);
    return {
      connections: this.shards.length, frames: sum('frames'), problems: this.problems, problemsByCode: { ...this.byCode },
      events: this.events, reconnects: sum('reconnects'), heartbeatTimeouts: sum('heartbeatTimeouts'),
    };
  }

  private retire(s: Readonly<WsConnectionStats>): void {
    this.retired.frames += s.frames;
    this.retired.reconnects += s.reconnects;
    this.retired.heartbeatTimeouts += s.heartbeatTimeouts;
  }

  private place(assetIds: readonly string[]): void {
    let i = 0;
    for (const shard of this.shards) {
      const added: string[] = [];
      while (i < assetIds.length && shard.assets.size < this.max) {
        shard.assets.add(assetIds[i]!);
        added.push(assetIds[i++]!);
      }
      if (added.length) shard.conn.send(JSON.stringify({ operation: 'subscribe', assets_ids: added }));
    }
    while (i < assetIds.length) {
      const shard = this.newShard();
      while (i < assetIds.length && shard.assets.size < this.max) shard.assets.add(assetIds[i++]!);
      if (this.started) shard.conn.start();
    }
  }

  private newShard(): Shard {
    const { opts } = this;
    const shard: Shard = {
      assets: new Set(),
      connected: false,
      everConnected: false,
      conn: new WsConnection({
        url: opts.url, channel: 'market', clock: opts.clock, logger: opts.logger,
        subscription: () => JSON.stringify({ assets_ids: [...shard.assets], type: 'market', initial_dump: true, level: 2, custom_feature_enabled: true }),
        onFrame: (text) => this.onFrame(text),
        onConnected: () => { shard.connected = shard.everConnected = true; this.updateCombined(); },
        onDisconnected: () => { shard.connected = false; this.updateCombined(); },
        onHeartbeatTimeout: (silentMs) => opts.sink({ type: 'gap', at: opts.clock.now(), channel: 'market', reason: `heartbeat timeout: no message for ${silentMs} ms` }),
        ...(opts.timing ? { timing: opts.timing } : {}),
        ...(opts.random ? { random: opts.random } : {}),
      }),
    };
    this.shards.push(shard);
    return shard;
  }

  private updateCombined(): void {
    // Connected once every connection is up; disconnected when one that was up drops. A connection
    // added later and not yet open delays the first "connected" but is no disconnect of anything seen.
    const next = this.combinedConnected
      ? !this.shards.some((s) => s.everConnected && !s.connected)
      : this.shards.length > 0 && this.shards.every((s) => s.connected);
    if (next === this.combinedConnected) return;
    this.combinedConnected = next;
    this.opts.sink({ type: 'connection', at: this.opts.clock.now(), channel: 'market', state: next ? 'connected' : 'disconnected' });
  }

  private onFrame(text: string): void {
    const r = parseMarketFrame(text, this.opts.clock.now());
    for (const p of r.problems) {
      this.problems++;
      this.byCode[p.code] = (this.byCode[p.code] ?? 0) + 1;
      this.opts.logger[p.code === 'TEXT_FRAME' ? 'debug' : 'warn']({ channel: 'market', code: p.code, where: p.where }, p.message);
      this.opts.onProblem?.(p);
    }
    for (const e of r.events) {
      this.events++;
      this.opts.sink(e);
    }
    for (const info of r.infos) this.opts.onInfo?.(info);
    if (r.bestQuotes.length) this.opts.onBestQuotes?.(r.bestQuotes, this.opts.clock.now());
  }
}
