/**
 * The operations HTTP server (node:http), loopback by default: GET /metrics (Prometheus text),
 * / (the live status page), /api/status (JSON), /events (server-sent events). Closes cleanly:
 * event streams are ended and keep-alive sockets dropped.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import { PolyquoteError, errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { PolyquoteMetrics } from '../metrics/metrics.ts';
import { STATUS_PAGE_HTML } from './page.ts';
import type { StatusFeed } from './status.ts';

export interface OpsServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 9464; 0 picks a free port (tests). */
  readonly port?: number;
  readonly metrics: PolyquoteMetrics;
  readonly status: StatusFeed;
  /** Least time between two pushed status updates (default 250 ms). */
  readonly pushEveryMs?: number;
  /** Push even without changes (ages move), default 5000 ms. */
  readonly refreshEveryMs?: number;
  readonly logger?: Logger;
}

export interface OpsServer {
  readonly host: string;
  readonly port: number;
  /** http://host:port/ */
  readonly url: string;
  close(): Promise<void>;
}

const MAX_EVENT_CLIENTS = 64;
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  // Everything is inline; nothing may be loaded from elsewhere.
  'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
};

export function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const host = opts.host ?? '127.0.0.1';
  const pushEveryMs = opts.pushEveryMs ?? 250;
  const clients = new Set<ServerResponse>();
  let pending: NodeJS.Timeout | undefined;
  let lastPush = 0;

  const push = () => {
    pending = undefined;
    lastPush = Date.now();
    if (clients.size === 0) return;
    let frame: string;
    try {
      frame = `event: status\ndata: ${JSON.stringify(opts.status.snapshot())}\n\n`;
    } catch (err) {
      opts.logger?.error({ err: errorMessage(err) }, 'status snapshot failed');
      return;
    }
    for (const c of clients) {
      // A client that stopped reading is dropped rather than buffered without bound.
      if (c.writableLength > MAX_BUFFERED_BYTES) {
        clients.delete(c);
        c.destroy();
      } else c.write(frame);
    }
  };
  const schedule = () => {
    if (pending || clients.size === 0) return;
    pending = setTimeout(push, Math.max(0, lastPush + pushEveryMs - Date.now()));
  };
  const sub: Subscription = opts.status.changes$.subscribe(() => schedule());
  const refresh = setInterval(schedule, opts.refreshEveryMs ?? 5000);
  refresh.unref();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end(`expected GET, got ${req.method}\n`);
      return;
    }
    switch (path) {
      case '/metrics': {
        const body = await opts.metrics.scrape();
        res.writeHead(200, { 'content-type': opts.metrics.contentType, ...SECURITY_HEADERS }).end(body);
        return;
      }
      case '/':
      case '/index.html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS }).end(STATUS_PAGE_HTML);
        return;
      case '/api/status':
        res.writeHead(200, { 'content-type': 'application/json', ...SECURITY_HEADERS }).end(JSON.stringify(opts.status.snapshot()));
        return;
      case '/events':
        if (clients.size >= MAX_EVENT_CLIENTS) {
          res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end(`expected at most ${MAX_EVENT_CLIENTS} open event streams\n`);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive', ...SECURITY_HEADERS });
        res.write(`retry: 1000\nevent: status\ndata: ${JSON.stringify(opts.status.snapshot())}\n\n`);
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`no such page: ${path} (try /, /metrics, /api/status, /events)\n`);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      opts.logger?.error({ err: errorMessage(err), url: req.url }, 'ops request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => {
      sub.unsubscribe();
      clearInterval(refresh);
      reject(new PolyquoteError('OPS_LISTEN_FAILED', `expected to listen on ${host}:${opts.port ?? 9464} for /metrics and the status page, got ${errorMessage(err)}`, { cause: err }));
    });
    server.listen(opts.port ?? 9464, host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);
      const shownHost = host.includes(':') ? `[${host}]` : host;
      let closed: Promise<void> | undefined;
      resolve({
        host, port, url: `http://${shownHost}:${port}/`,
        close: () => (closed ??= new Promise<void>((done) => {
          sub.unsubscribe();
          clearInterval(refresh);
          if (pending) clearTimeout(pending);
          for (const c of clients) c.end();
          clients.clear();
          server.close(() => done());
          server.closeAllConnections();
        })),
      });
    });
  });
}
