/** Small HTTP helpers shared by the route files. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Req {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly rawBody: string;
  readonly res: ServerResponse;
}

/** A handler's answer; `afterBooked` lets POST /order lose the response after the order is booked. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
  readonly destroy?: boolean;
}

export const ok = (body: unknown): Answer => ({ status: 200, body });
export const err = (status: number, error: string, extra: Record<string, unknown> = {}): Answer => ({ status, body: { error, ...extra } });

export function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
      if (body.length > limit) {
        reject(new Error('body too large'));
        req.destroy();
      }
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** Parses a JSON body; undefined for an empty one, an error string for bad JSON. */
export function jsonBody(raw: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (raw.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false, error: 'Invalid JSON body' };
  }
}

export function send(res: ServerResponse, a: Answer): void {
  if (a.destroy) {
    res.socket?.destroy();
    return;
  }
  const text = JSON.stringify(a.body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(text);
}

/** Offset cursors the way the CLOB encodes them: base64 of the offset, "LTE=" (base64 "-1") at the end. */
export const encodeCursor = (offset: number): string => Buffer.from(String(offset)).toString('base64');
export function decodeCursor(c: string | null): number | undefined {
  if (!c || c === 'MA==') return 0;
  const n = Number(Buffer.from(c, 'base64').toString('utf8'));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
export const END_CURSOR = 'LTE=';

/** One page of `items` from a cursor: the CLOB's {data, next_cursor, limit, count}. */
export function page<T>(items: readonly T[], cursor: string | null, limit: number): Answer {
  if (cursor === END_CURSOR) return ok({ data: [], next_cursor: END_CURSOR, limit, count: 0 });
  const offset = decodeCursor(cursor);
  if (offset === undefined) return err(400, `invalid next_cursor ${JSON.stringify(cursor)}`);
  const data = items.slice(offset, offset + limit);
  const next = offset + limit >= items.length ? END_CURSOR : encodeCursor(offset + limit);
  return ok({ data, next_cursor: next, limit, count: data.length });
}
