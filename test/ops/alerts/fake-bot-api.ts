/**
 * A loopback server that behaves like the Telegram Bot API's sendMessage: it records what it was
 * sent and answers as a test scripts (ok, 429 with retry_after, 5xx, a slow answer, a dropped
 * connection). Also a small helper that moves a VirtualClock while real sockets do their work.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { VirtualClock } from '../../../core/clock.ts';

export type BotAnswer =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; description?: string; retryAfter?: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'drop' }
  | { kind: 'raw'; status: number; body: string };

export interface Received {
  readonly chat: string;
  readonly text: string;
  readonly token: string;
  readonly disablePreview: unknown;
  /** Virtual time when the request arrived. */
  readonly at: number;
  /** What the server answered. */
  readonly answer: BotAnswer['kind'];
}

export interface FakeBotApi {
  readonly url: string;
  /** Every request that reached the server, in arrival order. */
  readonly requests: Received[];
  /** Requests answered ok: what was really delivered. */
  delivered(chat?: string): Received[];
  /** Answers used for the next requests, first in first out; then `ok`. A function sees the chat. */
  script: (BotAnswer | ((chat: string) => BotAnswer | undefined))[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (d: Buffer) => void (body += d.toString()));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export async function startFakeBotApi(clock: { now(): number }): Promise<FakeBotApi> {
  const requests: Received[] = [];
  const api: FakeBotApi = {
    url: '',
    requests,
    delivered: (chat) => requests.filter((r) => r.answer === 'ok' || r.answer === 'slow').filter((r) => chat === undefined || r.chat === chat),
    script: [],
    close: () => close(server),
  };
  const server: Server = createServer(async (req, res) => {
    const m = /^\/bot([^/]+)\/sendMessage$/.exec(req.url ?? '');
    const raw = await readBody(req);
    if (!m || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
      return;
    }
    const body = JSON.parse(raw) as { chat_id: string; text: string; disable_web_page_preview?: unknown };
    let answer: BotAnswer = { kind: 'ok' };
    const next = api.script[0];
    if (typeof next === 'function') {
      const a = next(body.chat_id);
      if (a) {
        api.script.shift();
        answer = a;
      }
    } else if (next) {
      api.script.shift();
      answer = next;
    }
    requests.push({ chat: body.chat_id, text: body.text, token: decodeURIComponent(m[1]!), disablePreview: body.disable_web_page_preview, at: clock.now(), answer: answer.kind });
    const okBody = JSON.stringify({ ok: true, result: { message_id: requests.length, chat: { id: body.chat_id }, text: body.text } });
    switch (answer.kind) {
      case 'ok':
        res.writeHead(200, { 'content-type': 'application/json' }).end(okBody);
        return;
      case 'slow':
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(okBody), answer.delayMs);
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'raw':
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
        return;
      case 'status': {
        const description = answer.description ?? (answer.status === 429 ? `Too Many Requests: retry after ${answer.retryAfter ?? 1}` : 'Internal Server Error');
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify({
          ok: false, error_code: answer.status, description, ...(answer.retryAfter !== undefined && { parameters: { retry_after: answer.retryAfter } }),
        }));
        return;
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  (api as { url: string }).url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return api;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

const tick = (ms = 2) => new Promise((r) => setTimeout(r, ms));

/**
 * Lets real I/O run and advances the virtual clock by `stepMs` between looks, until `done()` or
 * `maxVirtualMs` of virtual time passed. Returns whether `done()` became true.
 */
export async function runUntil(clock: VirtualClock, done: () => boolean, opts: { stepMs?: number; maxVirtualMs?: number } = {}): Promise<boolean> {
  const step = opts.stepMs ?? 100;
  const end = clock.now() + (opts.maxVirtualMs ?? 600_000);
  const realDeadline = Date.now() + 10_000;
  for (;;) {
    await tick();
    if (done()) return true;
    if (clock.now() >= end || Date.now() > realDeadline) return false;
    clock.advanceBy(step);
  }
}

/** Advances virtual time by `ms` in steps, letting real I/O run in between. */
export async function runFor(clock: VirtualClock, ms: number, stepMs = 100): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    await tick();
    clock.advanceBy(Math.min(stepMs, end - clock.now()));
  }
  await tick();
}
