/** Shared set-up of the hardening tests: a temp dir, sqlite configs, real ledgers written through App. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { App } from '../../app/app.ts';
import { VirtualClock } from '../../core/clock.ts';
import { parseConfig } from '../../core/config/load.ts';
import type { PolyquoteConfig } from '../../core/config/schema.ts';
import type { InboundEvent } from '../../core/events.ts';
import { createMemoryLogger } from '../../core/logger.ts';
import { stateLine } from '../../core/engine/report.ts';
import { decodeEventLine } from '../../core/tape-codec.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { STANDARD_RISK_YAML } from '../support/app-config.ts';

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const BASE_YAML = `${STANDARD_RISK_YAML}engine: { checkpointEverySeconds: 30 }
`;

/** A config file with a sqlite ledger `<name>.sqlite` in `dir`. */
export function sqliteConfig(dir: string, name: string, extra = ''): { file: string; ledger: string; yaml: string } {
  const yaml = `${BASE_YAML}ledger: { kind: sqlite, path: ./${name}.sqlite }\n${extra}`;
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return { file, ledger: path.join(dir, `${name}.sqlite`), yaml };
}

export function configOf(yaml: string, dir: string): PolyquoteConfig {
  return parseConfig(`${yaml}\nlog: { level: silent }\n`, new PluginRegistry(), { baseDir: dir });
}

export const decode = (line: string): InboundEvent => decodeEventLine(JSON.parse(line) as Record<string, unknown>);

/** Starts an App on a virtual clock (recovering whatever its ledger holds). */
export async function startOn(config: PolyquoteConfig, at: number) {
  const clock = new VirtualClock(at);
  const mem = createMemoryLogger('debug');
  const app = App.create(config, { clock, logger: mem.logger, withoutSources: true });
  await app.start();
  return { app, clock, logs: mem.lines };
}

/** Feeds events through the live engine, advancing its clock to each. */
export function feed(app: App, clock: VirtualClock, events: readonly InboundEvent[]): void {
  for (const e of events) {
    if (e.at > clock.now()) clock.advanceTo(e.at);
    app.engine.ingest(e);
  }
}

/** The engine's positions with their PnL (risk is AWAITING_SNAPSHOT after any restart). */
export function holdings(app: App, at: number) {
  return stateLine(app.engine, at).positions;
}

export function sql<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
