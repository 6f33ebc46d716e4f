/**
 * A loopback JSON-RPC proxy in front of anvil that injects the seeded faults of rpc-faults.ts:
 * errors (JSON-RPC -32603 per request of a batch, or HTTP 503) and bounded stalls. Single and batch
 * requests are forwarded untouched otherwise. It never holds a request forever: a stall ends after
 * `stallMs`, the upstream call has its own deadline, and close() ends every open request. Every answer
 * carries the decision taken in a header (`x-sim-chain-fault: stall=<ms>; error=<kind>`) for diagnosis.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { PolyquoteError } from '../../core/errors.ts';
import { decideFault, seededRandom, validateFaults, type FaultDecision, type RpcFaults } from './rpc-faults.ts';

export interface RpcFaultProxyOptions {
  readonly targetUrl: string;
  readonly seed: number;
  readonly faults?: RpcFaults;
  /** Deadline of each forwarded call to anvil (default 30 s). */
  readonly upstreamTimeoutMs?: number;
}

export interface RpcFaultStats {
  readonly requests: number;
  readonly rpcErrors: number;
  readonly http503: number;
  readonly stalls: number;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
export const FAULT_HEADER = 'x-sim-chain-fault';

type JsonRpcId = string | number | null;

function idsOf(body: unknown): JsonRpcId[] | JsonRpcId {
  const idOf = (m: unknown): JsonRpcId => {
    const id = (m as { id?: unknown } | null)?.id;
    return typeof id === 'string' || typeof id === 'number' ? id : null;
  };
  return Array.isArray(body) ? body.map(idOf) : idOf(body);
}

/** The body of an injected JSON-RPC error: one error object per request (an array for a batch). */
export function injectedRpcError(rawBody: string): string {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    // Unparseable request: answer a single error with id null.
  }
  const error = (id: JsonRpcId) => ({ jsonrpc: '2.0', id, error: { code: -32603, message: 'simulated internal error (sim chain fault injection)' } });
  const ids = idsOf(parsed);
  return JSON.stringify(Array.isArray(ids) ? ids.map(error) : error(ids));
}

export class RpcFaultProxy {
  readonly url: string;
  private readonly server: ReturnType<typeof createServer>;
  private readonly next: () => number;
  private faults: Required<RpcFaults>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly aborter = new AbortController();
  private closed: Promise<void> | undefined;
  private counts = { requests: 0, rpcErrors: 0, http503: 0, stalls: 0 };

  private constructor(server: ReturnType<typeof createServer>, url: string, private readonly opts: RpcFaultProxyOptions) {
    this.server = server;
    this.url = url;
    this.next = seededRandom(opts.seed);
    this.faults = validateFaults(opts.faults ?? {});
  }

  /** Starts the proxy on 127.0.0.1 at a free port. */
  static async start(opts: RpcFaultProxyOptions): Promise<RpcFaultProxy> {
    validateFaults(opts.faults ?? {});
    let proxy: RpcFaultProxy | undefined;
    const server = createServer((req, res) => void proxy!.handle(req, res));
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
    proxy = new RpcFaultProxy(server, `http://127.0.0.1:${port}`, opts);
    return proxy;
  }

  /** Replaces the fault setting; the PRNG stream continues where it was. */
  setFaults(f: RpcFaults): void {
    this.faults = validateFaults(f);
  }

  get stats(): RpcFaultStats {
    return { ...this.counts };
  }

  /** Stops listening and ends every open request; idempotent. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      this.aborter.abort();
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('sim chain RPC proxy: POST JSON-RPC only');
      return;
    }
    // Decide on arrival, before the body is read, so the order of requests alone fixes the faults.
    const decision = decideFault(this.next, this.faults);
    this.counts.requests++;
    let body: string;
    try {
      body = await readBody(req);
    } catch (err) {
      if (!res.headersSent) res.writeHead(413, { 'content-type': 'text/plain' }).end(String((err as Error).message));
      return;
    }
    res.setHeader(FAULT_HEADER, `stall=${decision.stallMs}; error=${decision.error}`);
    if (decision.stallMs > 0) {
      this.counts.stalls++;
      if (!(await this.sleep(decision.stallMs))) return;
    }
    await this.answer(decision, body, res);
  }

  private async answer(decision: FaultDecision, body: string, res: ServerResponse): Promise<void> {
    if (decision.error === 'http-503') {
      this.counts.http503++;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('simulated RPC outage (sim chain fault injection)');
      return;
    }
    if (decision.error === 'rpc-error') {
      this.counts.rpcErrors++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(injectedRpcError(body));
      return;
    }
    try {
      const timeout = AbortSignal.timeout(this.opts.upstreamTimeoutMs ?? 30_000);
      const upstream = await fetch(this.opts.targetUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.any([timeout, this.aborter.signal]),
      });
      const text = await upstream.text();
      if (!res.headersSent) res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(text);
    } catch (err) {
      if (res.headersSent || res.destroyed) return;
      const message = `sim chain proxy: anvil did not answer (${(err as Error).name})`;
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message } }));
    }
  }

  /** Waits `ms`; false when the proxy closed meanwhile. */
  private sleep(ms: number): Promise<boolean> {
    if (this.aborter.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.aborter.signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        this.timers.delete(t);
        resolve(false);
      };
      this.timers.add(t);
      this.aborter.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_BODY_BYTES) {
        reject(new PolyquoteError('SIM_CHAIN_PROXY_BODY', `expected a JSON-RPC body of at most ${MAX_BODY_BYTES} bytes, got more`));
        req.destroy();
        return;
      }
      chunks.push(d);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
