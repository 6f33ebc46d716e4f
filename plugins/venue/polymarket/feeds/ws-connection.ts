/**
 * One resilient websocket to a Polymarket channel. On every (re)connect the subscription is the
 * FIRST frame (the server closes a socket whose first frame is anything else with 1008); only then
 * does the text heartbeat `PING` start. Silence (no PONG, no message) for `heartbeatTimeoutMs` closes
 * the socket and is reported as a heartbeat timeout (the channel has no sequence numbers: a silent
 * socket may have lost messages). Reconnects use jittered exponential backoff, reset once the server
 * has answered on a new socket. The subscription frame carries credentials and is never logged.
 */
import WebSocket from 'ws';
import type { Channel } from '../../../../core/events.ts';
import type { Clock, TimerHandle } from '../../../../core/clock.ts';
import type { Logger } from '../../../../core/logger.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';

export interface WsTiming {
  /** Text PING every this many ms (Polymarket clients use ~10 s). */
  readonly pingIntervalMs: number;
  /** No inbound frame (PONG included) for this long → close, report, reconnect. */
  readonly heartbeatTimeoutMs: number;
  /** A socket not open after this long is abandoned and retried. */
  readonly connectTimeoutMs: number;
  readonly backoff: BackoffOptions;
}

export const DEFAULT_TIMING: WsTiming = { pingIntervalMs: 10_000, heartbeatTimeoutMs: 30_000, connectTimeoutMs: 10_000, backoff: DEFAULT_BACKOFF };

export interface WsConnectionOptions {
  readonly url: string;
  readonly channel: Channel;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The subscription frame, built afresh on every connect (so dynamic subscriptions survive a reconnect). */
  readonly subscription: () => string;
  /** Every inbound text frame except PONG. */
  readonly onFrame: (text: string) => void;
  readonly onConnected?: () => void;
  readonly onDisconnected?: (reason: string) => void;
  readonly onHeartbeatTimeout?: (silentMs: number) => void;
  readonly timing?: Partial<WsTiming>;
  /** Jitter source in [0, 1); inject a seeded one for reproducible delays. */
  readonly random?: () => number;
}

export interface WsConnectionStats {
  /** Sockets that opened. */
  connects: number;
  /** Reconnect attempts scheduled after a close or a failed attempt. */
  reconnects: number;
  /** Inbound frames other than PONG. */
  frames: number;
  pongs: number;
  pingsSent: number;
  heartbeatTimeouts: number;
  /** The delays of scheduled reconnects, most recent last (bounded). */
  lastDelaysMs: number[];
}

export type WsState = 'idle' | 'connecting' | 'open' | 'stopped';

export class WsConnection {
  private readonly timing: WsTiming;
  private readonly random: () => number;
  private socket: WebSocket | undefined;
  private stateValue: WsState = 'idle';
  private attempt = 0;
  private answeredSinceOpen = false;
  private lastInboundAt = 0;
  private heartbeat: TimerHandle | undefined;
  private connectTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private readonly statsValue: WsConnectionStats = { connects: 0, reconnects: 0, frames: 0, pongs: 0, pingsSent: 0, heartbeatTimeouts: 0, lastDelaysMs: [] };

  constructor(private readonly opts: WsConnectionOptions) {
    this.timing = { ...DEFAULT_TIMING, ...opts.timing, backoff: { ...DEFAULT_BACKOFF, ...opts.timing?.backoff } };
    this.random = opts.random ?? Math.random;
  }

  get state(): WsState {
    return this.stateValue;
  }

  get stats(): Readonly<WsConnectionStats> {
    return this.statsValue;
  }

  /** Opens the socket (and keeps it open until `stop`). */
  start(): void {
    if (this.stateValue !== 'idle') return;
    this.open();
  }

  /** Sends a text frame on an open, subscribed socket; false when there is none (the next subscription will carry the change). */
  send(text: string): boolean {
    if (this.stateValue !== 'open' || this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(text);
    return true;
  }

  /** Closes for good: no reconnect, timers cancelled; resolves once the socket is closed. */
  async stop(): Promise<void> {
    const wasOpen = this.stateValue === 'open';
    this.stateValue = 'stopped';
    this.clearTimers();
    this.retryTimer?.cancel();
    const s = this.socket;
    this.socket = undefined;
    if (s && s.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        if (s.readyState === WebSocket.OPEN) s.close(1000, 'client stop');
        else s.terminate();
        // A peer that never answers the close handshake must not hold us.
        setTimeout(() => { s.terminate(); resolve(); }, 1000).unref();
      });
    }
    if (wasOpen) this.opts.onDisconnected?.('stopped');
  }

  private open(): void {
    this.stateValue = 'connecting';
    this.answeredSinceOpen = false;
    const s = new WebSocket(this.opts.url, { handshakeTimeout: this.timing.connectTimeoutMs });
    this.socket = s;
    this.connectTimer = this.opts.clock.scheduleAt(this.opts.clock.now() + this.timing.connectTimeoutMs, () => {
      if (this.socket === s && s.readyState !== WebSocket.OPEN) s.terminate();
    });
    s.on('open', () => this.onOpen(s));
    s.on('message', (data, isBinary) => this.onMessage(s, data, isBinary));
    s.on('error', (err) => {
      if (this.socket === s) this.opts.logger.warn({ channel: this.opts.channel, url: this.opts.url, err: err.message }, 'websocket error');
    });
    s.on('close', (code, reason) => this.onClose(s, code, reason.toString()));
  }

  private onOpen(s: WebSocket): void {
    if (this.socket !== s || this.stateValue === 'stopped') return;
    this.connectTimer?.cancel();
    // The subscription goes out before anything else, PING included.
    s.send(this.opts.subscription());
    this.stateValue = 'open';
    this.statsValue.connects++;
    this.lastInboundAt = this.opts.clock.now();
    this.heartbeat = this.opts.clock.every(this.timing.pingIntervalMs, () => this.tick(s));
    this.opts.logger.info({ channel: this.opts.channel, url: this.opts.url, connects: this.statsValue.connects }, 'websocket connected');
    this.opts.onConnected?.();
  }

  private tick(s: WebSocket): void {
    if (this.socket !== s || this.stateValue !== 'open') return;
    const silentMs = this.opts.clock.now() - this.lastInboundAt;
    if (silentMs >= this.timing.heartbeatTimeoutMs) {
      this.statsValue.heartbeatTimeouts++;
      this.opts.logger.warn({ channel: this.opts.channel, silentMs }, 'websocket heartbeat timeout: closing');
      this.opts.onHeartbeatTimeout?.(silentMs);
      s.terminate();
      return;
    }
    s.send('PING');
    this.statsValue.pingsSent++;
  }

  private onMessage(s: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    if (this.socket !== s || this.stateValue !== 'open') return;
    this.lastInboundAt = this.opts.clock.now();
    if (!this.answeredSinceOpen) {
      // The server answered this socket: the subscription was accepted, start backoff afresh.
      this.answeredSinceOpen = true;
      this.attempt = 0;
    }
    void isBinary; // Polymarket sends text; a binary frame is decoded as UTF-8 text and parsed like one.
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
    if (text.trim() === 'PONG') {
      this.statsValue.pongs++;
      return;
    }
    this.statsValue.frames++;
    this.opts.onFrame(text);
  }

  private onClose(s: WebSocket, code: number, reason: string): void {
    if (this.socket !== s) return;
    const wasOpen = this.stateValue === 'open';
    this.clearTimers();
    this.socket = undefined;
    if (this.stateValue === 'stopped') return;
    const why = `closed ${code}${reason ? ` ${reason}` : ''}`;
    if (wasOpen) {
      this.opts.logger.warn({ channel: this.opts.channel, code, reason }, 'websocket disconnected');
      this.opts.onDisconnected?.(why);
    }
    const delay = backoffDelay(this.attempt++, this.timing.backoff, this.random);
    this.statsValue.reconnects++;
    this.statsValue.lastDelaysMs.push(delay);
    if (this.statsValue.lastDelaysMs.length > 20) this.statsValue.lastDelaysMs.shift();
    this.stateValue = 'connecting';
    this.retryTimer = this.opts.clock.scheduleAt(this.opts.clock.now() + delay, () => {
      if (this.stateValue !== 'stopped') this.open();
    });
  }

  private clearTimers(): void {
    this.heartbeat?.cancel();
    this.heartbeat = undefined;
    this.connectTimer?.cancel();
    this.connectTimer = undefined;
  }
}
