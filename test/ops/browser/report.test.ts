/**
 * `polyquote report` (the real CLI) on the incident tape, and on a ledger export of the same run;
 * the HTML opened from disk in headless Chromium: no console errors, nothing fetched, the numbers
 * the engine ends with, the markers of what happened.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateLine } from '../../../core/engine/report.ts';
import { replayTape } from '../../../app/replay/replay.ts';
import { ingestTape } from '../../../app/replay/ingest.ts';
import { ledgerCommand } from '../../../cli/ledger-commands.ts';
import { reportCommand } from '../../../cli/report.ts';
import { loadConfigFile } from '../../../core/config/load.ts';
import { createLogger } from '../../../core/logger.ts';
import { PluginRegistry } from '../../../plugins/registry.ts';
import { runCli } from '../../integration/cli.ts';
import { A, B, CONFIG_YAML, INCIDENT_TAPE, SECRET, config } from '../metrics/fixture.ts';
import { launch, openPage } from './browser.ts';

/**
 * Each CLI run is a fresh Node process loading the whole CLI through tsx (about 4 s measured with
 * the machine at load 18, more on a loaded CI run), and each report is opened in Chromium: the tests get a
 * timeout that a loaded machine cannot reach without something being wrong.
 */
const SLOW_MS = 120_000;

let browser: Browser;
let dir: string;
let final: StateLine;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pq-report-'));
  writeFileSync(path.join(dir, 'config.yaml'), CONFIG_YAML);
  writeFileSync(path.join(dir, 'incident.jsonl'), `${INCIDENT_TAPE.join('\n')}\n`);
  // The engine's own account of the run, to compare the report with.
  const out: StateLine[] = [];
  await replayTape({ config: config(), lines: INCIDENT_TAPE, output: (l) => out.push(l) });
  final = out[out.length - 1]!;
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Pos = { confirmed: number; pendingBuys: number; pendingSells: number; effective: number; pendingOrderBuys: number; conservativeExposure: number; discrepancies: number };

async function checkReport(file: string, shot: string) {
  const html = readFileSync(file, 'utf8');
  expect(html).not.toContain(SECRET);
  expect(html).not.toMatch(/<script|<link[^>]+stylesheet|<img|@import|url\(/i);
  const w = await openPage(browser, pathToFileURL(file).href);
  const { page } = w;
  for (const t of [A, B]) {
    const p = final.positions[t] as Pos;
    const f = async (name: string) => page.textContent(`section.token[data-token="${t}"] [data-field="${name}"]`);
    expect(Number(await f('confirmed')), `confirmed ${t}`).toBe(p.confirmed);
    expect(Number(await f('pendingBuys'))).toBe(p.pendingBuys);
    expect(Number(await f('pendingSells'))).toBe(p.pendingSells);
    expect(Number(await f('effective'))).toBe(p.effective);
    expect(Number(await f('pendingOrderBuys'))).toBe(p.pendingOrderBuys);
    expect(Number(await f('conservativeExposure'))).toBe(p.conservativeExposure);
    expect(Number(await f('discrepancies'))).toBe(p.discrepancies);
    expect(await f('limit')).toBe('200');
    const finalMode = (final.risk.byToken as Record<string, { mode: string }>)[t]!.mode;
    expect((await f('mode'))!.startsWith(finalMode)).toBe(true);
  }
  const inA = (sel: string) => page.locator(`svg.chart[data-token="${A}"] ${sel}`).count();
  for (const s of ['confirmed', 'effective', 'pendingBuys', 'pendingSells', 'pendingOrderBuys']) expect(await inA(`path[data-series="${s}"]`), s).toBe(1);
  expect(await inA('.fill-marker')).toBe(3);
  expect(await inA('.absorbed-marker')).toBe(2);
  expect(await inA('.discrepancy-marker')).toBe(1);
  expect(await inA('rect.mode.degraded')).toBeGreaterThan(0); // DRIFT while 15 shares were pending
  // spans of one kind closer than a pixel are drawn as one band
  expect(await inA('rect.divergence')).toBeLessThanOrEqual(Number(await page.textContent(`section.token[data-token="${A}"] [data-field="divergenceSpans"]`)));
  expect(await inA('rect.divergence')).toBeGreaterThan(0);
  expect(await page.textContent(`section.token[data-token="${A}"] table.discrepancies`)).toContain('30');
  const shadow = final.shadow as Record<string, { divergences: number }>;
  expect(Number(await page.textContent('[data-shadow="strict"] [data-field="divergences"]'))).toBe(shadow.strict!.divergences);
  expect(await page.textContent('table.alerts')).toContain('RISK_DEGRADED');
  await w.screenshot(shot);
  expect(w.errors).toEqual([]);
  expect(w.requests.filter((r) => !r.startsWith('file:') && !r.startsWith('data:'))).toEqual([]);
  await page.close();
}

describe('polyquote report', () => {
  it('writes one self-contained HTML file that shows the incident', async () => {
    const out = path.join(dir, 'report.html');
    const r = await runCli(['report', '--config', 'config.yaml', '--tape', 'incident.jsonl', '--out', out], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ out, lines: INCIDENT_TAPE.length, skipped: 0, events: INCIDENT_TAPE.length - 1, tokens: 2 });
    await checkReport(out, 'incident-report.png');
  }, SLOW_MS);

  it('reads a ledger export of a live run the same way', async () => {
    const live = path.join(dir, 'live.yaml');
    writeFileSync(live, CONFIG_YAML.replace('ledger: { kind: memory }', 'ledger: { kind: sqlite, path: ./ledger.sqlite }'));
    // ingest takes events only: the tape without its closing `advance`
    writeFileSync(path.join(dir, 'events.jsonl'), `${INCIDENT_TAPE.filter((l) => !l.includes('"advance"')).join('\n')}\n`);
    // The live engine and its sqlite ledger, then `ledger export`, run in this process (the CLI
    // commands' own code: both CLIs are covered as processes by test/integration/ledger-export-replay);
    // the report is the real CLI reading the export.
    const ingested = await ingestTape({
      config: loadConfigFile(live, new PluginRegistry()), lines: readFileSync(path.join(dir, 'events.jsonl'), 'utf8').trimEnd().split('\n'),
      logger: createLogger({ level: 'silent' }), output: () => undefined,
    });
    expect(ingested).toMatchObject({ ingested: INCIDENT_TAPE.length - 1, skipped: 0 });
    const exported = path.join(dir, 'export.jsonl');
    expect(await ledgerCommand(['export', '--config', live, '--tape', exported], new PluginRegistry())).toBe(0);
    const out = path.join(dir, 'from-ledger.html');
    const r = await runCli(['report', '--config', 'config.yaml', '--tape', 'export.jsonl', '--out', out], dir);
    expect(r.code, r.stderr).toBe(0);
    await checkReport(out, 'incident-report-from-ledger.png');
  }, SLOW_MS);

  it('names a bad line and writes nothing', async () => {
    writeFileSync(path.join(dir, 'bad.jsonl'), `${INCIDENT_TAPE[0]}\n{"at":"2026-03-02T10:00:01Z","kind":"nonsense"}\n`);
    const out = path.join(dir, 'bad.html');
    const r = await runCli(['report', '--config', 'config.yaml', '--tape', 'bad.jsonl', '--out', out], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 2/);
    expect(() => readFileSync(out)).toThrow();
    // a usage error (main.ts turns ERR_PARSE_ARGS errors into exit code 2)
    await expect(reportCommand(['--config', 'config.yaml'], new PluginRegistry())).rejects.toMatchObject({ code: 'ERR_PARSE_ARGS_USAGE', message: 'report needs --config, --tape and --out' });
  }, SLOW_MS);
});
