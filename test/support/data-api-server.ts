/**
 * A loopback stand-in for the Polymarket Data API `/positions`: a bare JSON array of camelCase rows
 * (shaped like fixtures/polymarket/data_api_positions_constructed.json), paginated by limit/offset,
 * with knobs for indexer lag, 429/5xx, a failing page, malformed JSON and hanging.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** One position as the test sets it: token id and size in shares (a JSON float on the wire). */
export interface ApiPosition {
  readonly asset: string;
  readonly size: number;
}

export interface DataApiKnobs {
  /** Serve the state from this many `setPositions` calls ago (indexer lag); 0 = current. */
  lagVersions?: number;
  /** Answer every request with this status (e.g. 429, 503). */
  status?: number;
  /** Answer this page index (0-based) with `pageStatus` (default 500). */
  failPage?: number;
  pageStatus?: number;
  /** Body to send instead of the rows (e.g. 'not json', '{"error":"x"}'). */
  rawBody?: string;
  /** Replace the row at this index of the served page with `badRow`. */
  badRowAt?: number;
  badRow?: unknown;
  /** Accept the request and never answer. */
  hang?: boolean;
}

export interface DataApiServer {
  readonly url: string;
  /** Requests received so far, with their query parameters. */
  readonly requests: readonly URLSearchParams[];
  /** Replaces the current state (the previous one is kept for `lagVersions`). */
  setPositions(positions: readonly ApiPosition[]): void;
  knobs: DataApiKnobs;
  close(): Promise<void>;
}

function row(funder: string, p: ApiPosition, i: number): Record<string, unknown> {
  return {
    proxyWallet: funder.toLowerCase(),
    asset: p.asset,
    conditionId: `0x${(i + 1).toString(16).padStart(64, '0')}`,
    size: p.size,
    avgPrice: 0.5,
    initialValue: p.size * 0.5,
    currentValue: p.size * 0.5,
    cashPnl: 0,
    percentPnl: 0,
    totalBought: p.size,
    realizedPnl: 0,
    curPrice: 0.5,
    redeemable: false,
    mergeable: false,
    title: `Test market ${i}`,
    slug: `test-market-${i}`,
    outcome: i % 2 === 0 ? 'Yes' : 'No',
    outcomeIndex: i % 2,
    negativeRisk: false,
  };
}

/** Starts the server on 127.0.0.1 (port chosen by the OS) serving `funder`'s positions. */
export async function startDataApiServer(funder: string, initial: readonly ApiPosition[] = []): Promise<DataApiServer> {
  const versions: ApiPosition[][] = [[...initial]];
  const requests: URLSearchParams[] = [];
  const hanging = new Set<ServerResponse>();
  const api: DataApiServer = {
    url: '',
    requests,
    knobs: {},
    setPositions: (positions) => void versions.push([...positions]),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const q = u.searchParams;
    requests.push(q);
    const k = api.knobs;
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (u.pathname !== '/positions') return send(404, '{"error":"not found"}');
    if (k.hang) return void hanging.add(res);
    if (k.status !== undefined) return send(k.status, '{"error":"status knob"}');
    const user = q.get('user') ?? '';
    if (user.toLowerCase() !== funder.toLowerCase()) return send(200, '[]');
    const limit = Math.min(Number(q.get('limit') ?? 100), 500);
    const offset = Number(q.get('offset') ?? 0);
    const page = Math.floor(offset / Math.max(limit, 1));
    if (k.failPage === page) return send(k.pageStatus ?? 500, '{"error":"page knob"}');
    if (k.rawBody !== undefined) return send(200, k.rawBody);
    const state = versions[Math.max(0, versions.length - 1 - (k.lagVersions ?? 0))]!;
    // Like the live endpoint, sizeThreshold defaults to hiding positions under 1 share.
    const threshold = Number(q.get('sizeThreshold') ?? 1);
    const visible = state.filter((p) => p.size > 0 && p.size >= threshold);
    const rows: unknown[] = visible.slice(offset, offset + limit).map((p, i) => row(funder, p, offset + i));
    if (k.badRowAt !== undefined && k.badRowAt < rows.length) rows[k.badRowAt] = k.badRow;
    send(200, JSON.stringify(rows));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  (api as { url: string }).url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return api;
}
