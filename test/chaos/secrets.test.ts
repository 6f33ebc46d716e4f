/**
 * Secrets never leak: the real bot runs against the simulator (its own process) with known secrets —
 * the signer key (the simulator's funded dev key), the API secret and passphrase the bot derives
 * from it, a fake Telegram bot token and a fake webhook secret (alert sinks pointing at a loopback
 * server that fails now and then, so error paths run too). None may appear in stdout/stderr, the
 * ledger files, the summary, an exported tape, an incident report, /metrics, the status page and its
 * JSON, the alert payloads, or the error message of a refused config.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { App } from '../../app/app.ts';
import { botConfig, PRIVATE_KEY_ENV } from '../../chaos/bot-config.ts';
import { control, simExposures } from '../../chaos/ground-truth.ts';
import { spawnPolyquote, startSim, type Child } from '../../chaos/procs.ts';
import { VirtualClock } from '../../core/clock.ts';
import { loadConfigFile } from '../../core/config/load.ts';
import { createLogger } from '../../core/logger.ts';
import { decodeEventLine } from '../../core/tape-codec.ts';
import { startOps } from '../../ops/http/start.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { deriveCreds } from '../../sim/auth/l1.ts';

const SEED = 777;
const TG_TOKEN = '7000000001:AAFakeTelegramBotTokenForPolyquoteTests_x9';
const WH_SECRET = 'whsec_fake_polyquote_webhook_secret_5f3a1c';
const dir = mkdtempSync(path.join(os.tmpdir(), 'polyquote-secrets-'));
afterAll(() => process.env.POLYQUOTE_KEEP_TEST_FILES ? undefined : rmSync(dir, { recursive: true, force: true }));

interface Seen { path: string; headers: IncomingMessage['headers']; body: string }

async function sinkServer() {
  const seen: Seen[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => void (body += d.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      n++;
      // Every third request fails, so the sinks' error and retry paths run (and log).
      if (n % 3 === 0) res.writeHead(500, { 'content-type': 'application/json' }).end('{"ok":false,"error_code":500,"description":"Internal Server Error"}');
      else if (req.url?.includes('/sendMessage')) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"result":{"message_id":1}}');
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { seen, url, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

function findings(secrets: Record<string, string>, where: string, text: string): string[] {
  return Object.entries(secrets).filter(([, v]) => text.includes(v)).map(([k]) => `${k} in ${where}`);
}

describe('secrets never leak', () => {
  it('a faulty run with known secrets leaves them nowhere', { timeout: 300_000 }, async () => {
    const sink = await sinkServer();
    const simFile = path.join(dir, 'sim.yaml');
    writeFileSync(simFile, stringify({ seed: SEED, flow: { takerRatePerSecond: 1 }, faults: { rest: { error5xxRate: 0.05, lostResponseRate: 0.05 }, ws: { disconnectRate: 0.003 } } }));
    const { child: sim, info } = await startSim(dir, SEED, simFile);
    const children: Child[] = [sim];
    try {
      const account = info.accounts[0]!;
      const creds = deriveCreds(`polyquote-sim/${SEED}`, account.address, 0n);
      const secrets: Record<string, string> = {
        'private key': account.privateKey, 'private key (no 0x)': account.privateKey.slice(2), 'API secret': creds.secret, 'API passphrase': creds.passphrase,
        'Telegram bot token': TG_TOKEN, 'webhook secret': WH_SECRET,
      };
      const env = { [PRIVATE_KEY_ENV]: account.privateKey, PQ_TG_TOKEN: TG_TOKEN, PQ_WH_SECRET: WH_SECRET };
      const ledgerPath = path.join(dir, 'ledger.sqlite');
      const alerts = [
        { kind: 'log', minSeverity: 'info' },
        { kind: 'telegram', botTokenEnv: 'PQ_TG_TOKEN', chats: ['-1001234567890'], apiBaseUrl: sink.url, minSeverity: 'info', groupDelaySeconds: 0, dedupWindowSeconds: 0 },
        { kind: 'webhook', url: `${sink.url}/hook`, secretEnv: 'PQ_WH_SECRET', minSeverity: 'info' },
      ];
      const cfgFile = path.join(dir, 'bot.yaml');
      writeFileSync(cfgFile, botConfig(info, { ledgerPath, maxPositionShares: 1100, sizeShares: 20, pendingFillTtlSeconds: 60, logLevel: 'debug', extra: { alerts } }));
      const summaryFile = path.join(dir, 'summary.json');
      const bot = spawnPolyquote('bot', ['run', '--config', cfgFile, '--view', 'json', '--summary', summaryFile, '--duration', '25'], dir, env, path.join(dir, 'bot.log'));
      children.push(bot);
      await bot.waitFor((l) => l.includes('trading: '), 120_000, 'trading');
      // A forced disconnect (reconnects, gaps) and an RPC outage (source fallback, degraded mode): alerts to every sink.
      const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
      await pause(4000);
      await fetch(`${info.controlUrl}/disconnect`, { method: 'POST', body: '{}' });
      await control(info.controlUrl, 'faults', { rpc: { errorRate: 1 } });
      await pause(9000);
      await control(info.controlUrl, 'faults', { rpc: { errorRate: 0 } });
      const exit = await bot.exit;
      expect(exit.code).toBe(0);

      // The derived credentials are the ones the bot used: the simulator books our orders under that API key.
      const ours = (await simExposures(info.controlUrl)).filter((e) => e.maker.toLowerCase() === account.address.toLowerCase());
      expect(ours.length).toBeGreaterThan(0);
      expect(new Set(ours.map((e) => (e as unknown as { owner: string }).owner))).toEqual(new Set([creds.apiKey]));
      // The sinks were used: Telegram with the token in its URL path (the API's own scheme), the webhook signed.
      expect(sink.seen.some((s) => s.path.startsWith(`/bot${TG_TOKEN}/sendMessage`))).toBe(true);
      const hooks = sink.seen.filter((s) => s.path === '/hook');
      expect(hooks.length).toBeGreaterThan(0);
      expect(hooks.every((h) => String(h.headers['x-polyquote-signature'] ?? '').startsWith('sha256='))).toBe(true);

      // Derived artefacts: an exported tape, an incident report, ledger inspect.
      const tape = path.join(dir, 'export.jsonl');
      const run = async (args: string[]) => {
        const c = spawnPolyquote(args[0]!, args, dir, env, path.join(dir, `${args[0]}.log`));
        children.push(c);
        const r = await c.exit;
        return { code: r.code, out: c.lines.join('\n'), err: c.stderr };
      };
      expect((await run(['ledger', 'export', '--config', cfgFile, '--tape', tape])).code).toBe(0);
      const report = path.join(dir, 'report.html');
      const rep = await run(['report', '--config', cfgFile, '--tape', tape, '--out', report, '--skip-bad-lines']);
      expect(rep.code, rep.err).toBe(0);
      const inspect = await run(['ledger', 'inspect', '--config', cfgFile]);
      // A config the loader refuses, with the secrets in the environment, and a bad key.
      const badCfg = path.join(dir, 'bad.yaml');
      writeFileSync(badCfg, readFileSync(cfgFile, 'utf8').replace('kind: polymarket', 'kind: polymarket\n  bogus: 1'));
      const refused = await run(['check-config', '--config', badCfg]);
      expect(refused.code).not.toBe(0);
      const badKey = spawnPolyquote('badkey', ['run', '--config', cfgFile, '--view', 'json'], dir, { ...env, [PRIVATE_KEY_ENV]: `${account.privateKey.slice(0, 40)}zz` }, path.join(dir, 'badkey.log'));
      children.push(badKey);
      const badKeyExit = await badKey.exit;
      expect(badKeyExit.code).not.toBe(0);

      // Metrics and the status page, served by the ops server on an app fed the exported tape.
      const ops = await opsPages(cfgFile, tape, env);

      const leaks = [
        ...findings(secrets, 'bot stdout/stderr', readFileSync(path.join(dir, 'bot.log'), 'utf8')),
        ...findings(secrets, 'summary', readFileSync(summaryFile, 'utf8')),
        ...readdirSync(dir).filter((f) => f.startsWith('ledger.sqlite')).flatMap((f) => findings(secrets, f, readFileSync(path.join(dir, f), 'latin1'))),
        ...findings(secrets, 'exported tape', readFileSync(tape, 'utf8')),
        ...findings(secrets, 'incident report', readFileSync(report, 'utf8') + rep.out + rep.err),
        ...findings(secrets, 'ledger inspect', inspect.out + inspect.err),
        ...findings(secrets, 'refused config error', refused.out + refused.err),
        ...findings(secrets, 'bad key error', badKey.lines.join('\n') + badKey.stderr),
        ...findings(secrets, 'alert payloads', sink.seen.map((s) => s.body).join('\n')),
        ...findings(secrets, 'webhook headers', JSON.stringify(hooks.map((h) => h.headers))),
        ...findings(secrets, '/metrics', ops.metrics),
        ...findings(secrets, 'status page', ops.page),
        ...findings(secrets, '/api/status', ops.status),
      ];
      expect(leaks).toEqual([]);
      expect(findings(secrets, 'a planted line', `token=${TG_TOKEN} secret=${creds.secret}`)).toEqual(['API secret in a planted line', 'Telegram bot token in a planted line']);
      // The checks looked at real content.
      expect(ops.metrics).toContain('polyquote_position_effective_shares');
      expect(readFileSync(tape, 'utf8').split('\n').length).toBeGreaterThan(20);
      expect(refused.err).toMatch(/bogus/);
    } finally {
      for (const c of children.reverse()) if (!c.exited) await c.stop(20_000);
      await sink.close();
    }
  });
});

async function opsPages(cfgFile: string, tape: string, env: Record<string, string>) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const config = loadConfigFile(cfgFile, new PluginRegistry(), process.env);
    const lines = readFileSync(tape, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const first = decodeEventLine(JSON.parse(lines[0]!) as Record<string, unknown>);
    const clock = new VirtualClock(first.at);
    const app = App.create(config, { clock, ledger: { kind: 'memory' }, withoutSources: true, withoutTrading: true, logger: createLogger({ level: 'silent' }) });
    const ops = await startOps(app, { host: '127.0.0.1', port: 0 });
    try {
      await app.start();
      for (const l of lines) {
        const e = decodeEventLine(JSON.parse(l) as Record<string, unknown>);
        if (e.at > clock.now()) clock.advanceTo(e.at);
        app.engine.ingest(e);
      }
      const get = async (p: string) => (await fetch(new URL(p, ops.server.url))).text();
      return { metrics: await get('/metrics'), page: await get('/'), status: await get('/api/status') };
    } finally {
      await ops.close();
      await app.dispose();
    }
  } finally {
    process.env = saved;
  }
}
