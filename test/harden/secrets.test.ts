/**
 * Secrets in URLs: the REST source joins `/positions` to the path of a base URL that carries a key in
 * its path and query (URL API, not string concatenation), and neither a network error nor the
 * command output echoes the key.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { RestSource } from '../../plugins/position-source/rest/rest-source.ts';
import { parseConfig } from '../../core/config/load.ts';
import { scrubSecrets } from '../../core/logger.ts';
import { PluginRegistry } from '../../plugins/registry.ts';

const FUNDER = `0x${'2'.repeat(40)}` as const;
const seen: string[] = [];
const server = http.createServer((req, res) => {
  seen.push(req.url ?? '');
  res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('a REST base URL carrying a key', () => {
  it('keeps the key query and joins /positions to the path', async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    const src = new RestSource({ url: `http://127.0.0.1:${port}/v1/s3cr?apikey=s3cr`, funder: FUNDER, pageSize: 10, maxPages: 2, pollIntervalMs: 1000, timeoutMs: 2000 });
    await src.fetchBalances(['7']);
    const u = new URL(seen[0]!, 'http://x');
    expect(u.pathname).toBe('/v1/s3cr/positions');
    expect(u.searchParams.get('apikey')).toBe('s3cr');
    expect(u.searchParams.get('user')).toBe(FUNDER);
  });

  it('never echoes the URL (and so its key) in a network error', async () => {
    const src = new RestSource({ url: 'http://127.0.0.1:9/k3y?apikey=k3y', funder: FUNDER, pageSize: 10, maxPages: 1, pollIntervalMs: 1000, timeoutMs: 500 });
    const err = await src.fetchBalances(['7']).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/request for page 0/);
    expect(err?.message).not.toContain('k3y');
  });

  it('registers a variable named like a credential as a secret, whatever its length', () => {
    parseConfig(`positionSource: { kind: rest, url: "http://127.0.0.1:9/\${PQ_SHORT_TOKEN}", funder: "${FUNDER}" }`, new PluginRegistry(), { env: { PQ_SHORT_TOKEN: 'q7' } });
    expect(scrubSecrets('GET http://127.0.0.1:9/q7 failed')).toBe('GET http://127.0.0.1:9/[REDACTED] failed');
  });
});
