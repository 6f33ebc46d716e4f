/**
 * The user and market websocket channels. The first text frame must be the subscription (a PING
 * first closes the socket with 1008); then text PING gets PONG, dynamic subscribe/unsubscribe
 * operations change the set, and silence past the idle timeout closes it. Outgoing messages pass
 * the fault plan (drop, duplicate, hold-for-reorder, disconnect) and are sometimes framed as arrays.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Prng } from '../prng.ts';
import type { EngineEvent } from '../exchange/engine.ts';
import type { ServerContext } from './context.ts';
import { wsBestBidAsk, wsBook, wsLastTrade, wsOrder, wsPriceChange, wsTrade } from './messages.ts';

interface Conn {
  readonly socket: WebSocket;
  readonly channel: 'user' | 'market';
  subscribed: boolean;
  apiKey?: string;
  /** user: condition ids (empty = all); market: token ids. */
  readonly filter: Set<string>;
  custom: boolean;
  lastSeenMs: number;
  held: unknown[];
}

type Msg = Record<string, unknown>;

export class WsChannels {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<Conn>();
  private readonly framing: Prng;
  private readonly prefix: Prng;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly off: () => void;

  constructor(private readonly ctx: ServerContext, server: Server) {
    this.framing = Prng.for(ctx.config.seed, 'ws/framing');
    this.prefix = Prng.for(ctx.config.seed, 'ws/status-prefix');
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const channel = path === '/ws/user' ? 'user' : path === '/ws/market' ? 'market' : undefined;
      if (!channel) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, channel));
    });
    this.off = ctx.engine.on((e) => this.onEngine(e));
    this.idleTimer = setInterval(() => this.closeIdle(), Math.max(250, Math.min(5000, ctx.config.ws.idleTimeoutMs / 4)));
    this.idleTimer.unref();
  }

  /** Closes every socket abruptly (a forced disconnect); returns how many. */
  disconnectAll(): number {
    const n = this.conns.size;
    for (const c of this.conns) c.socket.terminate();
    return n;
  }

  /** Sends market_resolved to custom-feature subscribers of the market's tokens. */
  marketResolved(conditionId: string, winner: 0 | 1): void {
    const m = this.ctx.engine.market(conditionId);
    if (!m) return;
    const msg = { event_type: 'market_resolved', market: m.conditionId, assets_ids: [...m.tokens], winning_asset_id: m.tokens[winner], winning_outcome: winner === 0 ? 'Yes' : 'No', timestamp: String(this.ctx.now()) };
    for (const c of this.conns) if (c.channel === 'market' && c.custom && m.tokens.some((t) => c.filter.has(t))) this.deliver(c, [msg]);
  }

  async close(): Promise<void> {
    this.off();
    clearInterval(this.idleTimer);
    for (const c of this.conns) c.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket, channel: 'user' | 'market'): void {
    const c: Conn = { socket, channel, subscribed: false, filter: new Set(), custom: false, lastSeenMs: this.ctx.now(), held: [] };
    this.conns.add(c);
    socket.on('close', () => this.conns.delete(c));
    socket.on('error', () => this.conns.delete(c));
    socket.on('message', (data, isBinary) => {
      c.lastSeenMs = this.ctx.now();
      const text = isBinary ? '' : data.toString();
      if (text === 'PING') {
        if (!c.subscribed) socket.close(1008, 'invalid subscription payload');
        else socket.send('PONG');
        return;
      }
      let msg: Msg;
      try {
        msg = JSON.parse(text) as Msg;
        if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new Error('not an object');
      } catch {
        if (!c.subscribed) socket.close(1008, 'invalid subscription payload');
        else socket.send('INVALID OPERATION');
        return;
      }
      if (!c.subscribed) this.subscribe(c, msg);
      else this.operation(c, msg);
    });
  }

  private subscribe(c: Conn, msg: Msg): void {
    if (c.channel === 'user') {
      const auth = msg.auth as { apiKey?: string; secret?: string; passphrase?: string } | undefined;
      const key = auth?.apiKey ? this.ctx.keys.get(auth.apiKey) : undefined;
      if (msg.type !== 'user' || !key || key.secret !== auth?.secret || key.passphrase !== auth?.passphrase) {
        c.socket.close(1008, 'invalid subscription payload');
        return;
      }
      c.apiKey = key.apiKey;
      for (const m of asStrings(msg.markets)) c.filter.add(m.toLowerCase());
      c.subscribed = true;
      return;
    }
    const assets = asStrings(msg.assets_ids ?? msg.asset_ids);
    if ((msg.type !== 'market' && msg.type !== 'MARKET') || assets.length === 0) {
      c.socket.close(1008, 'invalid subscription payload');
      return;
    }
    c.subscribed = true;
    c.custom = msg.custom_feature_enabled === true;
    this.addAssets(c, assets, msg.initial_dump !== false);
  }

  private operation(c: Conn, msg: Msg): void {
    const op = msg.operation;
    if (op !== 'subscribe' && op !== 'unsubscribe') {
      c.socket.send('INVALID OPERATION');
      return;
    }
    const items = asStrings(c.channel === 'user' ? msg.markets : (msg.assets_ids ?? msg.asset_ids));
    if (op === 'unsubscribe') for (const i of items) c.filter.delete(c.channel === 'user' ? i.toLowerCase() : i);
    else if (c.channel === 'user') for (const i of items) c.filter.add(i.toLowerCase());
    else this.addAssets(c, items, true);
  }

  private addAssets(c: Conn, assets: readonly string[], dump: boolean): void {
    const fresh = assets.filter((a) => !c.filter.has(a) && this.ctx.engine.marketOfToken(a));
    if (fresh.length === 0) {
      c.socket.send('NO NEW ASSETS');
      return;
    }
    if (c.filter.size + fresh.length > 500) {
      c.socket.send('INVALID OPERATION: at most 500 assets per connection');
      return;
    }
    for (const a of fresh) c.filter.add(a);
    if (!dump) return;
    const now = this.ctx.now();
    this.deliver(c, fresh.map((a) => {
      const m = this.ctx.engine.marketOfToken(a)!;
      return wsBook(m, this.ctx.engine.book(m.conditionId)!.tokenBook(a), this.ctx.lastTrade.get(a), now);
    }));
  }

  private onEngine(e: EngineEvent): void {
    if (e.type === 'order') {
      const msg = wsOrder(e.order, e.kind, e.atMs);
      for (const c of this.userConns(e.order.owner, e.order.conditionId)) this.deliver(c, [msg]);
    } else if (e.type === 'trade') {
      const t = e.trade;
      const prefixed = this.prefix.chance(this.ctx.config.ws.tradeStatusPrefixRate);
      for (const c of this.userConns(t.takerOwner, t.conditionId)) this.deliver(c, [wsTrade(t, 'TAKER', prefixed, e.atMs)]);
      for (const owner of new Set(t.makers.map((f) => f.owner))) {
        if (owner === t.takerOwner) continue;
        for (const c of this.userConns(owner, t.conditionId)) this.deliver(c, [wsTrade(t, 'MAKER', prefixed, e.atMs)]);
      }
    } else if (e.type === 'book') {
      const m = this.ctx.engine.market(e.conditionId)!;
      const book = this.ctx.engine.book(m.conditionId)!;
      const books = new Map(m.tokens.map((t) => [t, book.tokenBook(t)] as const));
      for (const c of this.conns) {
        if (c.channel !== 'market' || !c.subscribed) continue;
        const changes = e.changes.filter((x) => c.filter.has(x.tokenId));
        if (changes.length === 0) continue;
        const msgs: Msg[] = [wsPriceChange(m, changes, books, e.atMs)];
        if (c.custom) for (const t of new Set(changes.map((x) => x.tokenId))) msgs.push(wsBestBidAsk(m, books.get(t)!, e.atMs));
        this.deliver(c, msgs);
      }
    } else if (e.type === 'last_trade') {
      const m = this.ctx.engine.market(e.conditionId)!;
      const msg = wsLastTrade(m, e.tokenId, e.side, e.price, e.size, e.atMs);
      for (const c of this.conns) if (c.channel === 'market' && c.filter.has(e.tokenId)) this.deliver(c, [msg]);
    }
  }

  private *userConns(apiKey: string, conditionId: string): Iterable<Conn> {
    for (const c of this.conns) {
      if (c.channel === 'user' && c.subscribed && c.apiKey === apiKey && (c.filter.size === 0 || c.filter.has(conditionId))) yield c;
    }
  }

  /** Sends one batch of messages to a connection through the fault plan. */
  private deliver(c: Conn, msgs: readonly unknown[]): void {
    const out: unknown[] = [];
    for (const m of msgs) {
      const fate = this.ctx.faults.nextWs();
      if (fate === 'drop') continue;
      if (fate === 'hold') {
        c.held.push(m);
        continue;
      }
      out.push(m);
      if (fate === 'duplicate') out.push(m);
      // Messages held back go out after a later one: the reorder.
      out.push(...c.held.splice(0));
    }
    if (out.length === 0 || c.socket.readyState !== c.socket.OPEN) return;
    if (this.framing.chance(this.ctx.config.ws.arrayFrameRate)) c.socket.send(JSON.stringify(out));
    else for (const m of out) c.socket.send(JSON.stringify(m));
    if (this.ctx.faults.wsDisconnect()) c.socket.terminate();
  }

  private closeIdle(): void {
    const now = this.ctx.now();
    for (const c of this.conns) if (now - c.lastSeenMs > this.ctx.config.ws.idleTimeoutMs) c.socket.close(1001, 'idle timeout');
  }
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
