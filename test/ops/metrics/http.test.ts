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

/** Reads server-sent `status` events until `until` accepts one. */
function sseUntil(url: string, until: (s: StatusSnapshot) => boolean, timeoutMs = 5000): Promise<{ first: StatusSnapshot; match: StatusSnapshot; frames: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let buf = '';
      let first: StatusSnapshot | undefined;
      let frames = 0;
      res.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (!frame.includes('event: status') || !data) continue;
          const s = JSON.parse(data.slice(6)) as StatusSnapshot;
          frames++;
          first ??= s;
          if (until(s)) {
            clearTimeout(timer);
            req.destroy();
            resolve({ first, match: s, frames });
          }
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no matching SSE status in time'));
    }, timeoutMs);
    req.on('error', (e) => (e.message.includes('aborted') || e.message.includes('socket hang up') ? undefined : reject(e)));
    req.end();
  });
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
    const waiting = sseUntil(`${ops.server.url}events`, (s) => s.markets.some((m) => m.tokenId === YES && m.pendingBuys === '2.5'));
    await new Promise((r) => setTimeout(r, 100));
    h.fill({ tradeId: 'x1', side: 'BUY', size: '2.5' });
    const { first, match } = await waiting;
    expect(first.markets.find((m) => m.tokenId === YES)!.pendingBuys).toBe('0');
    expect(match.markets.find((m) => m.tokenId === YES)!.effective).toBe(formatMicros(h.pos(YES).effective));
    expect(match.seq).toBe(h.engine.lastSeq);
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
