/**
 * A scripted CLOB on 127.0.0.1 for client tests: every request is recorded (method, path, query,
 * headers, body) and answered by the test's handler — JSON with a status and headers, a raw text,
 * a hang (never answers) or a dropped connection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Reply =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | { status?: number; raw: string; headers?: Record<string, string> }
  | { hang: true }
  | { drop: true };

export interface FakeClob {
  readonly url: string;
  readonly seen: Seen[];
  count(method: string, path: string): number;
  handler: (req: Seen) => Reply;
  close(): Promise<void>;
}

export async function startFakeClob(handler: (req: Seen) => Reply = () => ({ status: 404, json: { error: 'not scripted' } })): Promise<FakeClob> {
  const sockets = new Set<Socket>();
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => void (body += d.toString()));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const s: Seen = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body };
      seen.push(s);
      const reply = fake.handler(s);
      if ('hang' in reply) return;
      if ('drop' in reply) {
        req.socket.destroy();
        return;
      }
      const text = 'json' in reply ? JSON.stringify(reply.json) : reply.raw;
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(text);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  const fake: FakeClob = {
    url: `http://127.0.0.1:${port}`,
    seen,
    handler,
    count: (method, path) => seen.filter((s) => s.method === method && s.path === path).length,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return fake;
}
