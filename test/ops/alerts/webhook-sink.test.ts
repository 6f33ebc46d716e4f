import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../core/clock.ts';
import { parseConfig } from '../../../core/config/load.ts';
import { ConfigError } from '../../../core/errors.ts';
import type { AlertRaised } from '../../../core/events.ts';
import { createMemoryLogger } from '../../../core/logger.ts';
import type { PluginContext } from '../../../core/plugin.ts';
import { retryAfterMs, webhookAlertSink, WebhookSink, type WebhookSinkOptions } from '../../../plugins/alert-sink/webhook/index.ts';
import { PluginRegistry } from '../../../plugins/registry.ts';
import { runFor, runUntil } from './fake-bot-api.ts';

const SECRET = 'whsec_fake_signing_key_0123456789';
const T0 = Date.UTC(2026, 11, 1, 9);

type Answer = { status: number; headers?: Record<string, string> } | 'drop';
interface Hit { at: number; body: string; json: Record<string, unknown>; delivery: string; signatureValid: boolean | undefined; answered: Answer }

/** A receiver that checks the HMAC signature itself (its own code, not the sink's) and answers as scripted. */
async function startReceiver(clock: VirtualClock, secret: string | undefined) {
  const hits: Hit[] = [];
  const script: Answer[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => void (body += d.toString()));
    req.on('end', () => {
      let signatureValid: boolean | undefined;
      const sig = req.headers['x-polyquote-signature'];
      const ts = req.headers['x-polyquote-timestamp'];
      if (secret && typeof sig === 'string' && typeof ts === 'string') {
        const want = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`);
        const got = Buffer.from(sig);
        signatureValid = want.length === got.length && timingSafeEqual(want, got);
      } else if (sig !== undefined) signatureValid = false;
      const answered = script.shift() ?? { status: 204 };
      hits.push({ at: clock.now(), body, json: JSON.parse(body) as Record<string, unknown>, delivery: String(req.headers['x-polyquote-delivery']), signatureValid, answered });
      if (answered === 'drop') return void req.socket.destroy();
      res.writeHead(answered.status, answered.headers).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/polyquote?key=url-embedded-key-abc`;
  const ok = () => hits.filter((h) => h.answered !== 'drop' && h.answered.status < 300);
  return { url, hits, script, ok, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const alert = (over: Partial<AlertRaised> = {}): AlertRaised => ({ type: 'alert', at: T0, severity: 'critical', code: 'RISK_HALTED', message: 'overall halted: SOURCE_UNAVAILABLE', reasons: ['SOURCE_UNAVAILABLE'], ...over });

async function setup(over: Partial<WebhookSinkOptions> = {}, secretOrNone: string | null = SECRET, receiverSecret = secretOrNone) {
  const secret = secretOrNone ?? undefined;
  const clock = new VirtualClock(T0);
  const rx = await startReceiver(clock, receiverSecret ?? undefined);
  const mem = createMemoryLogger('debug');
  const sink = new WebhookSink({
    url: rx.url, ...(secret && { secret }), minSeverity: 'info', clock, logger: mem.logger, timeoutMs: 1000, dedupWindowMs: 0, minIntervalMs: 0,
    maxQueue: 100, initialBackoffMs: 1000, maxBackoffMs: 30_000, failAfterAttempts: 3, ...over,
  });
  closers.push(() => sink.dispose(), rx.close);
  return { clock, rx, sink, lines: mem.lines };
}

describe('webhook sink against a loopback receiver', () => {
  it('posts the alert as JSON with a signature the receiver verifies', async () => {
    const { clock, rx, sink } = await setup();
    sink.send({ ...alert({ tokenId: '123' }), details: { position: { confirmed: 10_000_000n, pendingBuys: 2_500_000n, pendingSells: 0n, effective: 12_500_000n } } } as AlertRaised);
    expect(await runUntil(clock, () => sink.health().sent === 1, { stepMs: 20 })).toBe(true);
    const [hit] = rx.hits;
    expect(hit!.signatureValid).toBe(true);
    expect(hit!.json).toMatchObject({
      type: 'alert', severity: 'critical', code: 'RISK_HALTED', tokenId: '123', reasons: ['SOURCE_UNAVAILABLE'], time: '2026-12-01T09:00:00.000Z',
      details: { position: { confirmed: '10', pendingBuys: '2.5', effective: '12.5' } },
    });
    expect(hit!.json.id).toBe(hit!.delivery);
    expect(String(hit!.json.text)).toContain('HALTED');
  });

  it('a receiver holding another key rejects the signature (the check is real)', async () => {
    const { clock, rx, sink } = await setup({}, SECRET, 'another-key-entirely');
    sink.send(alert());
    expect(await runUntil(clock, () => sink.health().sent === 1, { stepMs: 20 })).toBe(true);
    expect(rx.hits[0]!.signatureValid).toBe(false);
  });

  it('sends no signature headers without a secret', async () => {
    const { clock, rx, sink } = await setup({}, null);
    sink.send(alert());
    expect(await runUntil(clock, () => sink.health().sent === 1, { stepMs: 20 })).toBe(true);
    expect(rx.hits[0]!.signatureValid).toBeUndefined();
  });

  it('retries 5xx and dropped connections with backoff under one delivery id, each attempt freshly signed', async () => {
    const { clock, rx, sink } = await setup();
    rx.script.push({ status: 503 }, 'drop', { status: 500 });
    sink.send(alert());
    expect(await runUntil(clock, () => sink.health().sent === 1, { stepMs: 50 })).toBe(true);
    expect(rx.hits).toHaveLength(4);
    expect(new Set(rx.hits.map((h) => h.delivery)).size).toBe(1);
    expect(rx.hits.every((h) => h.signatureValid === true)).toBe(true);
    const gaps = rx.hits.slice(1).map((h, i) => h.at - rx.hits[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(1000 - 100);
    expect(gaps[1]).toBeGreaterThanOrEqual(2000 - 100);
    expect(gaps[2]).toBeGreaterThanOrEqual(4000 - 100);
    await runFor(clock, 60_000, 1000);
    expect(rx.ok()).toHaveLength(1);
  });

  it('honours Retry-After on a 429 and keeps alerts in order', async () => {
    const { clock, rx, sink } = await setup();
    rx.script.push({ status: 429, headers: { 'retry-after': '9' } });
    sink.send(alert({ message: 'one' }));
    sink.send(alert({ message: 'two' }));
    expect(await runUntil(clock, () => sink.health().sent === 2, { stepMs: 100 })).toBe(true);
    expect(rx.hits.map((h) => h.json.message)).toEqual(['one', 'one', 'two']);
    expect(rx.hits[1]!.at - rx.hits[0]!.at).toBeGreaterThanOrEqual(9000 - 200);
    expect(sink.health().state).toBe('ok');
  });

  it('drops a refused alert (4xx), reports failing, and never logs the URL or the secret', async () => {
    const { clock, rx, sink, lines } = await setup({ timeoutMs: 100 });
    rx.script.push({ status: 410 });
    sink.send(alert({ message: 'gone' }));
    expect(await runUntil(clock, () => sink.health().rejected === 1, { stepMs: 20 })).toBe(true);
    expect(sink.health()).toMatchObject({ state: 'failing', lastError: 'webhook POST: HTTP 410' });
    sink.send(alert({ message: 'next' }));
    expect(await runUntil(clock, () => sink.health().sent === 1, { stepMs: 20 })).toBe(true);
    expect(sink.health().state).toBe('ok');
    const all = JSON.stringify(lines()) + JSON.stringify(sink.health());
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('url-embedded-key-abc');
    expect(all).not.toContain(rx.url);
  });
});

describe('webhook plugin', () => {
  const yaml = (block: string) => `tokens: ["1"]\nreconciler: { kind: oldest-first }\nledger: { kind: memory }\nalerts: [ ${block} ]\n`;
  const env = { PQ_WH_SECRET: SECRET, PQ_WH_URL: 'http://127.0.0.1:9/x' };

  it('is registered and validates url / urlEnv / secretEnv', () => {
    const cfg = parseConfig(yaml('{ kind: webhook, url: "http://127.0.0.1:9/hook", secretEnv: PQ_WH_SECRET }'), new PluginRegistry(), { env });
    expect(cfg.alerts[0]).toMatchObject({ kind: 'webhook', maxQueue: 500, failAfterAttempts: 3 });
    const fail = (block: string) => {
      try {
        parseConfig(yaml(block), new PluginRegistry(), { env });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).issues;
      }
      throw new Error('expected a ConfigError');
    };
    expect(fail('{ kind: webhook }')[0]).toMatchObject({ path: 'alerts.0.url', message: 'expected exactly one of url or urlEnv' });
    expect(fail('{ kind: webhook, url: "http://a/b", urlEnv: PQ_WH_URL }')[0]).toMatchObject({ path: 'alerts.0.url' });
    expect(fail('{ kind: webhook, url: "http://a/b", timeoutSeconds: -1 }')[0]).toMatchObject({ path: 'alerts.0.timeoutSeconds' });
    expect(fail('{ kind: webhook, url: "http://a/b", secretEnv: PQ_WH_MISSING }')[0]).toMatchObject({ path: 'alerts.0.secretEnv' });
  });

  it('builds a sink that reads its URL and secret from the environment', async () => {
    const clock = new VirtualClock(T0);
    const rx = await startReceiver(clock, SECRET);
    closers.push(rx.close);
    process.env.PQ_WH_SECRET_T = SECRET;
    process.env.PQ_WH_URL_T = rx.url;
    closers.push(() => { delete process.env.PQ_WH_SECRET_T; delete process.env.PQ_WH_URL_T; });
    const block = webhookAlertSink.configSchema.parse({ kind: 'webhook', urlEnv: 'PQ_WH_URL_T', secretEnv: 'PQ_WH_SECRET_T' });
    const ctx: PluginContext = { clock, logger: createMemoryLogger().logger, configPath: 'alerts.2', identity: {}, baseDir: '.', createPlugin: () => { throw new Error('none'); } };
    const sink = webhookAlertSink.create(block, ctx) as WebhookSink;
    closers.push(() => sink.dispose());
    sink.send(alert());
    expect(await runUntil(clock, () => sink.health().sent === 1, { stepMs: 20 })).toBe(true);
    expect(rx.hits[0]!.signatureValid).toBe(true);
    delete process.env.PQ_WH_SECRET_T;
    expect(() => webhookAlertSink.create(block, ctx)).toThrow(/PQ_WH_SECRET_T.*alerts\.2\.secretEnv/);
  });

  it.each([
    ['5', 5000], ['0.5', 500], [null, undefined], ['soon', undefined], ['999999', 3_600_000],
  ])('reads Retry-After %s as %s ms', (h, ms) => expect(retryAfterMs(h, T0)).toBe(ms));

  it('reads an HTTP-date Retry-After', () => expect(retryAfterMs(new Date(T0 + 7000).toUTCString(), T0)).toBe(7000));
});
