/** `polyquote run` with its metrics port taken: stops at start-up with OPS_LISTEN_FAILED naming host and port, and exits (simulator stopped). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { ROOT, runCli } from '../integration/cli.ts';

let dir: string | undefined;
let blocker: Server | undefined;
afterAll(async () => {
  await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('refuses to start on a busy metrics port, naming it, and exits', async () => {
  blocker = createServer();
  const port = await new Promise<number>((resolve) => blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)));
  dir = mkdtempSync(path.join(os.tmpdir(), 'pq-run-busy-'));
  const cfg = parseYaml(readFileSync(path.join(ROOT, 'config.yaml'), 'utf8')) as Record<string, unknown>;
  cfg.metrics = { host: '127.0.0.1', port };
  writeFileSync(path.join(dir, 'config.yaml'), stringify(cfg));
  const started = Date.now();
  const r = await runCli(['run', '--config', 'config.yaml', '--duration', '30', '--view', 'json'], dir, { TMPDIR: dir });
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain(`OPS_LISTEN_FAILED: expected to listen on 127.0.0.1:${port}`);
  expect(r.stderr).not.toContain('trading:');
  expect(r.stdout).not.toContain('"kind":"summary"');
  // It did not trade for the 30 s asked: it stopped at start-up.
  expect(Date.now() - started).toBeLessThan(28_000);
}, 40_000);
