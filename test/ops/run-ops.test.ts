/**
 * Operations of the live bot end to end: `polyquote run` on the shipped config.yaml (embedded
 * simulator + anvil) with the metrics port set to 0 in a copy, and a telegram sink pointed at a
 * loopback fake Bot API. During the run: /metrics agrees with /api/status taken at the same seq, the
 * trading hooks (venue feeds, heartbeat, rate budget, quote ages, strategy state) are live, the
 * status page in headless Chromium shows the numbers of the SSE frame it rendered, and no secret
 * (derived API secret, passphrase, private key, telegram token) shows in /metrics, the JSON, the
 * page or the run's output. After it: the counters scraped last are within the run's summary.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { deriveCreds } from '../../sim/auth/l1.ts';
import { devAccount } from '../../sim/chain/sim-chain.ts';
import type { StatusSnapshot } from '../../ops/http/status.ts';
import { ROOT, spawnCli } from '../integration/cli.ts';
import { startFakeBotApi, type FakeBotApi } from './alerts/fake-bot-api.ts';
import { launch, openPage } from './browser/browser.ts';
import { sample } from './metrics/prom-text.ts';

const BOT_TOKEN = '7011223344:AAFakeTelegramTokenForOpsWireTest_xyz';
const DURATION_S = 12;

let dir: string;
let bot: FakeBotApi;
let child: ChildProcessWithoutNullStreams;
let stdout = '';
let stderr = '';
let base: string;
let exited: Promise<number | null>;
let browser: Browser | undefined;
let lastMetrics = '';

/** The secrets of this run: what the venue derived from the simulator (same seed, same key) and what we gave it. */
function secrets(): string[] {
  const seed = (parseYaml(readFileSync(path.join(ROOT, 'config.yaml'), 'utf8')) as { simulator: { seed: number } }).simulator.seed;
  const account = devAccount(0);
  const creds = deriveCreds(`polyquote-sim/${seed}`, account.address, 0n);
  return [creds.secret, creds.passphrase, account.privateKey, account.privateKey.slice(2), BOT_TOKEN];
}

const get = async (p: string) => {
  const r = await fetch(new URL(p, base));
  expect(r.status).toBe(200);
  return r;
};

async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n--- stderr (tail) ---\n${stderr.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pq-run-ops-'));
  bot = await startFakeBotApi({ now: () => Date.now() });
  const cfg = parseYaml(readFileSync(path.join(ROOT, 'config.yaml'), 'utf8')) as Record<string, unknown>;
  cfg.metrics = { port: 0 };
  cfg.alerts = [
    { kind: 'log', minSeverity: 'warning' },
    { kind: 'telegram', botTokenEnv: 'TELEGRAM_BOT_TOKEN', chats: ['-1001234567890'], apiBaseUrl: bot.url, minSeverity: 'info', groupDelaySeconds: 0.2, groupChatIntervalSeconds: 0.5, flushOnDisposeSeconds: 1 },
  ];
  cfg.alertFeed = { fills: { mode: 'each' } };
  cfg.log = { level: 'info' };
  writeFileSync(path.join(dir, 'config.yaml'), stringify(cfg));
  // TMPDIR: the funder lock lives under the temp dir; another run elsewhere on this machine must not block this one.
  child = spawnCli(['run', '--config', 'config.yaml', '--duration', String(DURATION_S), '--view', 'json', '--summary', 'summary.json'], dir, {
    TMPDIR: dir, TELEGRAM_BOT_TOKEN: BOT_TOKEN,
  });
  child.stdout.setEncoding('utf8').on('data', (d: string) => void (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => void (stderr += d));
  exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  const url = await waitFor('the status page URL on stderr', () => /status page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)?.[1], 40_000);
  base = url;
  await waitFor('trading to start', () => (stderr.includes('\ntrading: ') ? true : undefined), 40_000);
  browser = await launch();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await bot?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('polyquote run with operations', () => {
  it('serves /metrics matching the engine state (/api/status at the same seq) and the trading hooks', async () => {
    // Quotes are resting and the feeds are up.
    await waitFor('resting quotes', async () => {
      const t = await (await get('/metrics')).text();
      return t.includes('polyquote_quote_age_seconds{') && (sample(t, 'polyquote_last_seq') ?? 0) > 0 ? true : undefined;
    }, 15_000);
    // A consistent pair: both read at the same engine seq.
    const [text, status] = await waitFor('a /metrics scrape and /api/status at the same seq', async () => {
      const [m, s] = await Promise.all([get('/metrics').then((r) => r.text()), get('/api/status').then((r) => r.json() as Promise<StatusSnapshot>)]);
      return sample(m, 'polyquote_last_seq') === s.seq ? ([m, s] as const) : undefined;
    }, 10_000, 20);
    lastMetrics = text;
    expect(status.markets.length).toBeGreaterThanOrEqual(2);
    for (const mk of status.markets) {
      const g = (name: string) => sample(text, `polyquote_${name}`, { token: mk.tokenId });
      expect(g('position_confirmed_shares')).toBeCloseTo(Number(mk.confirmed), 6);
      expect(g('position_effective_shares')).toBeCloseTo(Number(mk.effective), 6);
      expect(g('position_pending_buys_shares')).toBeCloseTo(Number(mk.pendingBuys), 6);
      expect(g('position_pending_sells_shares')).toBeCloseTo(Number(mk.pendingSells), 6);
      expect(g('position_pending_order_buys_shares')).toBeCloseTo(Number(mk.pendingOrderBuys), 6);
      expect(g('position_conservative_exposure_shares')).toBeCloseTo(Number(mk.conservativeExposure), 6);
      expect(mk.limit).toBe('1200');
      expect(g('position_limit_shares')).toBe(1200);
      expect(g('pending_fills')).toBe(mk.pendingFills);
      expect(g('pnl_realized_usdc')).toBeCloseTo(Number(mk.pnl.realized), 6);
      expect(sample(text, 'polyquote_risk_mode_level', { set: 'live', token: mk.tokenId })).toBe({ normal: 0, degraded: 1, halted: 2 }[mk.risk.mode]);
      for (const side of ['BUY', 'SELL'] as const) {
        const n = mk.quotes.filter((q) => q.side === side).length;
        expect(sample(text, 'polyquote_open_orders', { token: mk.tokenId, side }) ?? 0).toBe(n);
        const age = sample(text, 'polyquote_quote_age_seconds', { token: mk.tokenId, side, variant: 'live' });
        if (n === 0) {
          expect(age).toBeUndefined();
        } else {
          expect(age).toBeGreaterThanOrEqual(0);
          expect(age).toBeLessThan(DURATION_S + 30);
        }
      }
    }
    // Hooks on the venue and the strategy.
    expect(sample(text, 'polyquote_venue_feed_state', { feed: 'user', state: 'connected' })).toBe(1);
    expect(sample(text, 'polyquote_venue_feed_state', { feed: 'market', state: 'connected' })).toBe(1);
    expect(sample(text, 'polyquote_venue_heartbeat_ok')).toBe(1);
    expect(sample(text, 'polyquote_strategy_state', { strategy: 'active-quoting', state: 'running' })).toBe(1);
    expect(status.strategies).toEqual([{ name: 'active-quoting', state: 'running' }]);
    expect(status.venue).toMatchObject({ userFeed: 'connected', marketFeed: 'connected', heartbeatOk: true });
    expect(sample(text, 'polyquote_rate_limit_capacity', { bucket: 'cancels' })).toBe(status.venue!.rate!.cancels.capacity);
    const cap = sample(text, 'polyquote_rate_limit_capacity', { bucket: 'orders' })!;
    const left = sample(text, 'polyquote_rate_limit_remaining', { bucket: 'orders' })!;
    expect(cap).toBeGreaterThan(0);
    expect(left).toBeGreaterThanOrEqual(0);
    expect(left).toBeLessThanOrEqual(cap);
    expect(sample(text, 'polyquote_orders_submitted_total', { token: status.markets[0]!.tokenId, side: 'BUY' }) ?? 0).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^polyquote_orders_submitted_total\{/m);
  }, 30_000);

  it('shows the live numbers on the status page in headless Chromium', async () => {
    // Record every SSE frame by seq: the page renders frames the server pushes to all clients.
    const frames = new Map<number, StatusSnapshot>();
    const ctrl = new AbortController();
    const res = await fetch(new URL('/events', base), { signal: ctrl.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    const pump = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buf += value;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = frame.split('\n').find((l) => l.startsWith('data: '));
            if (data) {
              const s = JSON.parse(data.slice(6)) as StatusSnapshot;
              frames.set(s.seq, s);
            }
          }
        }
      } catch {
        // aborted
      }
    })();
    const w = await openPage(browser!, base);
    try {
      const shown = await waitFor('the page to render a frame we recorded', async () => {
        const v = await w.page.evaluate(() => {
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          const document = (globalThis as unknown as { document: any }).document;
          const seq = Number(document.body.getAttribute('data-seq'));
          const markets = [...document.querySelectorAll('section[data-token]')].map((s: any) => {
            const f = (name: string): string | null => s.querySelector(`[data-field="${name}"]`)?.textContent ?? null;
            return { tokenId: String(s.getAttribute('data-token')), confirmed: f('confirmed'), effective: f('effective'), pendingBuys: f('pendingBuys'), pendingSells: f('pendingSells'), pendingOrderBuys: f('pendingOrderBuys'), conservativeExposure: f('conservativeExposure'), limit: f('limit'), mode: f('mode'), quoteRows: Number(s.querySelectorAll('[data-field="quotes"] tr').length) - 1 };
          });
          return { seq, markets: markets as { tokenId: string; confirmed: string | null; effective: string | null; pendingBuys: string | null; pendingSells: string | null; pendingOrderBuys: string | null; conservativeExposure: string | null; limit: string | null; mode: string | null; quoteRows: number }[] };
        });
        return v.seq > 0 && frames.has(v.seq) && v.markets.length > 0 ? v : undefined;
      }, 10_000, 100);
      const frame = frames.get(shown.seq)!;
      expect(shown.markets.map((m) => m.tokenId)).toEqual(frame.markets.map((m) => m.tokenId));
      for (const m of shown.markets) {
        const s = frame.markets.find((x) => x.tokenId === m.tokenId)!;
        expect(m).toMatchObject({
          confirmed: s.confirmed, effective: s.effective, pendingBuys: s.pendingBuys, pendingSells: s.pendingSells,
          pendingOrderBuys: s.pendingOrderBuys, conservativeExposure: s.conservativeExposure, limit: '1200', mode: s.risk.mode,
        });
        expect(m.quoteRows).toBe(Math.max(1, s.quotes.length));
      }
      // It follows the run live: a later seq is rendered without a reload.
      await w.page.waitForFunction((seq) => Number((globalThis as unknown as { document: { body: { getAttribute(n: string): string | null } } }).document.body.getAttribute('data-seq')) > seq, shown.seq, { timeout: 8000 });
      expect(await w.page.textContent('#conn')).toBe('live');
      expect(await w.page.textContent('#strategies')).toBe('active-quoting running');
      expect(await w.page.textContent('#venue')).toMatch(/^user connected, market connected, heartbeat ok, orders \d+\/\d+, cancels \d+\/\d+$/);
      expect(w.errors).toEqual([]);
      expect(w.requests.every((u) => u.startsWith(base))).toBe(true);
      const html = await w.page.content();
      for (const s of secrets()) expect(html).not.toContain(s);
      await w.screenshot('run-status-page.png');
    } finally {
      await w.page.close();
      ctrl.abort();
      await pump;
    }
    for (const f of frames.values()) for (const s of secrets()) expect(JSON.stringify(f)).not.toContain(s);
  }, 30_000);

  it('never shows a secret in /metrics or /api/status, though the telegram sink uses its token', async () => {
    await waitFor('a telegram delivery (alerts go out with the token)', () => (bot.delivered().length > 0 ? true : undefined), 15_000);
    expect(bot.delivered()[0]!.token).toBe(BOT_TOKEN);
    const [m, s] = await Promise.all([get('/metrics').then((r) => r.text()), get('/api/status').then((r) => r.text())]);
    lastMetrics = m;
    for (const secret of secrets()) {
      expect(m).not.toContain(secret);
      expect(s).not.toContain(secret);
    }
  }, 30_000);

  it('ends cleanly: counters scraped during the run are within the summary; no secret in its output', async () => {
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 40_000))]);
    expect(code).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as { ordersSubmitted: number; ordersCanceled: number; tokens: Record<string, unknown> };
    const total = (name: string) => [...lastMetrics.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))].reduce((a, x) => a + Number(x[1]), 0);
    expect(total('polyquote_orders_submitted_total')).toBeGreaterThan(0);
    expect(total('polyquote_orders_submitted_total')).toBeLessThanOrEqual(summary.ordersSubmitted);
    expect(total('polyquote_orders_cancelled_total')).toBeLessThanOrEqual(summary.ordersCanceled);
    expect(Object.keys(summary.tokens).length).toBeGreaterThanOrEqual(2);
    // Log correlation: what the engine logged about an event carries the event's seq.
    const lines = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; seq?: unknown });
    const aboutEvents = lines.filter((l) => l.msg === 'order closed' || l.msg === 'pending fill added' || l.msg === 'first snapshot: baseline set');
    expect(aboutEvents.length).toBeGreaterThan(0);
    for (const l of aboutEvents) expect(Number.isInteger(l.seq) && (l.seq as number) > 0).toBe(true);
    // The server is closed with the run.
    await expect(fetch(new URL('/metrics', base))).rejects.toThrow();
    for (const secret of secrets()) {
      expect(stdout).not.toContain(secret);
      expect(stderr).not.toContain(secret);
    }
  }, 45_000);
});
