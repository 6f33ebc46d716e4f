/** The ops HTTP server: routes, methods, SSE pushes, loopback default, a clear error on a busy port, clean close. */
import { createServer, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { formatMicros } from '../../../core/amounts.ts';
import { startOps, type RunningOps } from '../../../ops/http/start.ts';
import type { StatusSnapshot } from '../../../ops/http/status.ts';
import { NO, startApp, YES, type Harness } from '../../core/harness.ts';

let h: Harness | undefined;
let ops: RunningOps | undefined;
afterEach(async () => {
  await ops?.close();
  await h?.dispose();
  ops = undefined;
  h = undefined;
});

/** An open SSE stream: every `status` event in arrival order, and waiting for the next matching one. */
interface SseStream {
  readonly statuses: StatusSnapshot[];
  /** The first status at or after index `from` that `pred` accepts (waits for it). */
  next(pred: (s: StatusSnapshot) => boolean, from?: number, timeoutMs?: number): Promise<{ status: StatusSnapshot; index: number }>;
  close(): void;
}

function openSse(url: string): SseStream {
  const statuses: StatusSnapshot[] = [];
  const waiters = new Set<() => void>();
  let failed: Error | undefined;
  const req = request(url, (res) => {
    let buf = '';
    res.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (!frame.includes('event: status') || !data) continue;
        statuses.push(JSON.parse(data.slice(6)) as StatusSnapshot);
        for (const w of waiters) w();
      }
    });
  });
  req.on('error', (e) => {
    if (e.message.includes('aborted') || e.message.includes('socket hang up')) return;
    failed = e;
    for (const w of waiters) w();
  });
  req.end();
  return {
    statuses,
    next: (pred, from = 0, timeoutMs = 20_000) => new Promise((resolve, reject) => {
      const check = () => {
        if (failed) return done(() => reject(failed));
        const index = statuses.findIndex((s, i) => i >= from && pred(s));
        if (index >= 0) done(() => resolve({ status: statuses[index]!, index }));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no matching SSE status in ${timeoutMs} ms (${statuses.length} received)`))), timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    }),
    close: () => req.destroy(),
  };
}

describe('ops HTTP server', () => {
  it('listens on 127.0.0.1 by default and serves /, /metrics, /api/status; 404 and 405 otherwise', async () => {
    h = await startApp();
    ops = await startOps(h.app, { port: 0 });
    expect(ops.server.host).toBe('127.0.0.1');
    h.snapshot({ [YES]: '12.345678', [NO]: 1 });
    const page = await fetch(ops.server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).not.toMatch(/(src|href)="https?:/);
    const status = (await (await fetch(`${ops.server.url}api/status`)).json()) as StatusSnapshot;
    const yes = status.markets.find((m) => m.tokenId === YES)!;
    expect(yes.confirmed).toBe('12.345678'); // exact decimal string, not a float
    expect(yes.limit).toBe('100');
    expect(yes.utilisationPct).toBe('12.3');
    expect(status.seq).toBe(h.engine.lastSeq);
    expect((await fetch(`${ops.server.url}metrics`)).status).toBe(200);
    const missing = await fetch(`${ops.server.url}nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no such page: /nope');
    const post = await fetch(`${ops.server.url}metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('pushes a status over SSE on connect and after each change', async () => {
    h = await startApp();
    ops = await startOps(h.app, { port: 0, pushEveryMs: 20 });
    h.snapshot({ [YES]: 10 });
    const sse = openSse(`${ops.server.url}events`);
    try {
      // (a) a status is pushed on connect, with nothing changed since: no pending buy yet.
      const first = await sse.next(() => true);
      expect(first.index).toBe(0);
      expect(first.status.markets.find((m) => m.tokenId === YES)!.pendingBuys).toBe('0');
      expect(first.status.seq).toBe(h.engine.lastSeq);
      // (b) a change (only made once the first push was read) is pushed after it.
      h.fill({ tradeId: 'x1', side: 'BUY', size: '2.5' });
      const match = await sse.next((s) => s.markets.some((m) => m.tokenId === YES && m.pendingBuys === '2.5'), first.index + 1);
      expect(match.status.markets.find((m) => m.tokenId === YES)!.effective).toBe(formatMicros(h.pos(YES).effective));
      expect(match.status.seq).toBe(h.engine.lastSeq);
      expect(match.status.seq).toBeGreaterThan(first.status.seq);
    } finally {
      sse.close();
    }
  });

  it('closes cleanly with an event stream open, and says why when the port is taken', async () => {
    h = await startApp();
    const local = await startOps(h.app, { port: 0 });
    const sse = await new Promise<import('node:http').IncomingMessage>((resolve) => request(`${local.server.url}events`, resolve).end());
    const ended = new Promise<void>((resolve) => sse.on('end', () => resolve()).on('close', () => resolve()).resume());
    await local.close();
    await ended;
    await expect(fetch(local.server.url)).rejects.toThrow();

    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    await expect(startOps(h.app, { port })).rejects.toMatchObject({ code: 'OPS_LISTEN_FAILED', message: expect.stringContaining(`127.0.0.1:${port}`) });
    await new Promise<void>((r) => blocker.close(() => r()));
  });
});
