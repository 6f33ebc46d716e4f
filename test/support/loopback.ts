/**
 * Loopback servers for source tests: a counting HTTP proxy (counts requests independently of the code
 * under test), a TCP server that accepts and never answers (a hanging RPC), and a JSON-RPC stub whose
 * answers a test scripts (malformed results, errors, bad JSON).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';

function listen(server: { listen(port: number, host: string, cb: () => void): unknown; address(): unknown }): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (d: Buffer) => void (body += d.toString()));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function closeHttp(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An HTTP proxy in front of `targetUrl` that counts every request and keeps the JSON-RPC methods seen. */
export interface CountingProxy {
  readonly url: string;
  /** HTTP requests forwarded so far. */
  readonly requests: number;
  /** JSON-RPC method names per HTTP request (an array for a batch request). */
  readonly methods: readonly (string | string[])[];
  /** When set, every request is answered with this HTTP status instead of being forwarded (an RPC outage). */
  failWith: number | undefined;
  /** When set, the JSON-RPC result of these methods is replaced by [] after forwarding (events lost on the way). */
  blankResults: Set<string>;
  reset(): void;
  close(): Promise<void>;
}

/** Starts a counting proxy on 127.0.0.1 forwarding to `targetUrl`. */
export async function startCountingProxy(targetUrl: string): Promise<CountingProxy> {
  let requests = 0;
  let methods: (string | string[])[] = [];
  const server = createHttpServer(async (req, res) => {
    const body = await readBody(req);
    requests++;
    let method = '(unparseable)';
    try {
      const parsed = JSON.parse(body) as { method: string } | { method: string }[];
      methods.push(Array.isArray(parsed) ? parsed.map((p) => p.method) : parsed.method);
      if (!Array.isArray(parsed)) method = parsed.method;
    } catch {
      methods.push(method);
    }
    if (proxy.failWith !== undefined) {
      res.writeHead(proxy.failWith, { 'content-type': 'text/plain' }).end('outage');
      return;
    }
    try {
      const upstream = await fetch(targetUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      let text = await upstream.text();
      if (proxy.blankResults.has(method)) text = JSON.stringify({ ...(JSON.parse(text) as object), result: [] });
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(text);
    } catch {
      res.writeHead(502).end();
    }
  });
  const port = await listen(server);
  const proxy: CountingProxy = {
    url: `http://127.0.0.1:${port}`,
    failWith: undefined,
    blankResults: new Set(),
    get requests() {
      return requests;
    },
    get methods() {
      return methods;
    },
    reset: () => {
      requests = 0;
      methods = [];
    },
    close: () => closeHttp(server),
  };
  return proxy;
}

/** A TCP server that accepts connections and never writes a byte. */
export async function startHangingServer(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What a stub answers to one JSON-RPC request: a result, an error, or a raw HTTP reply. */
export type StubAnswer =
  | { result: unknown }
  | { error: { code: number; message: string } }
  | { raw: string; status?: number; contentType?: string };

/** A JSON-RPC server on 127.0.0.1 whose answers come from `handler`. */
export async function startJsonRpcStub(
  handler: (method: string, params: unknown[]) => StubAnswer,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttpServer(async (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.parse(await readBody(req)) as { id: number; method: string; params: unknown[] };
    const answer = handler(body.method, body.params ?? []);
    if ('raw' in answer) {
      res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json' });
      res.end(answer.raw);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: body.id, ...answer }));
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, close: () => closeHttp(server) };
}
