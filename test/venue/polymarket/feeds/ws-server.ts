/**
 * A loopback websocket server acting as Polymarket's channel endpoint: it records every frame each
 * connection received (in order), answers PING with PONG (switchable), closes with 1008 a socket
 * whose first frame is not a subscription (as the real server does), and can drop its sockets.
 */
import { WebSocketServer, type WebSocket } from 'ws';

export interface Conn {
  readonly index: number;
  readonly frames: string[];
  readonly socket: WebSocket;
  closedWith?: number;
}

export interface LoopbackWs {
  readonly url: string;
  readonly conns: Conn[];
  /** Answer PING with PONG (default true). */
  pong: boolean;
  /** Sends a text frame to the latest connection (or to `conn`). */
  send(text: string, conn?: Conn): void;
  /** Terminates every open socket (an abrupt drop, no close handshake). */
  dropAll(): void;
  close(): Promise<void>;
}

export async function startLoopbackWs(): Promise<LoopbackWs> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const conns: Conn[] = [];
  const server: LoopbackWs = {
    url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`,
    conns,
    pong: true,
    send(text, conn) {
      const c = conn ?? conns[conns.length - 1];
      c?.socket.send(text);
    },
    dropAll() {
      for (const c of conns) c.socket.terminate();
    },
    close: () =>
      new Promise((resolve) => {
        for (const c of conns) c.socket.terminate();
        wss.close(() => resolve());
      }),
  };
  wss.on('connection', (socket) => {
    const conn: Conn = { index: conns.length, frames: [], socket };
    conns.push(conn);
    socket.on('message', (data) => {
      const text = data.toString();
      conn.frames.push(text);
      if (conn.frames.length === 1) {
        let ok = false;
        try {
          const v = JSON.parse(text) as { type?: string };
          ok = v.type === 'user' || v.type === 'market';
        } catch { /* not a subscription */ }
        if (!ok) {
          conn.closedWith = 1008;
          socket.close(1008, 'invalid subscription payload');
          return;
        }
      }
      if (text === 'PING' && server.pong) socket.send('PONG');
    });
    socket.on('close', (code) => void (conn.closedWith ??= code));
  });
  return server;
}

/** Polls `cond` until true (or fails after `timeoutMs`). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
