/**
 * `polyquote sources compare`: seed 003's read-only rollout step. Runs every configured position
 * source side by side (a fallback's members individually) and prints, per token, chain vs REST vs
 * the effective size recovered from the ledger, and how often and how long they disagreed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { App, pluginBuilder } from '../app/app.ts';
import { SystemClock } from '../core/clock.ts';
import { loadConfigFile } from '../core/config/load.ts';
import type { PluginConfig } from '../core/config/schema.ts';
import { createLogger, scrubSecrets } from '../core/logger.ts';
import { UsageError } from '../core/errors.ts';
import { numberFlag } from './args.ts';
import { compareSources, formatCompareReport } from '../core/sources/compare.ts';
import type { PositionSource } from '../core/sources/position-source.ts';
import type { PluginRegistry } from '../plugins/registry.ts';

export async function sourcesCompareCommand(args: string[], registry: PluginRegistry): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, seconds: { type: 'string' }, 'interval-seconds': { type: 'string' } }, strict: true });
  if (!values.config) throw new UsageError('sources compare needs --config');
  const durationS = numberFlag(values.seconds, '--seconds', 0, 86_400, { exclusiveMin: true }) ?? 30;
  const intervalS = numberFlag(values['interval-seconds'], '--interval-seconds', 0.01, 3_600) ?? 3;
  const config = loadConfigFile(values.config, registry);
  if (!config.positionSource) throw new UsageError('the config has no positionSource to compare');
  const clock = new SystemClock();
  const logger = createLogger({ level: process.env.POLYQUOTE_LOG_LEVEL ?? 'warn' });
  const build = pluginBuilder(registry, config, clock, logger);
  const members: PluginConfig[] = config.positionSource.kind === 'fallback' ? (config.positionSource.sources as PluginConfig[]) : [config.positionSource];
  const sources: { name: string; source: PositionSource }[] = members.map((m, i) => ({
    name: `${m.kind}${members.filter((x) => x.kind === m.kind).length > 1 ? `#${i}` : ''}`,
    source: build<PositionSource>('position-source', m, `positionSource${config.positionSource!.kind === 'fallback' ? `.sources.${i}` : ''}`),
  }));
  // The effective size comes from the engine state recovered (read-only) from the ledger, if there is one.
  let app: App | undefined;
  const ledgerFile = config.ledger.kind === 'sqlite' ? path.resolve(config.baseDir, String(config.ledger.path)) : undefined;
  if (ledgerFile && existsSync(ledgerFile)) {
    app = App.create(config, { clock, logger, withoutSources: true, withoutTrading: true, readOnly: true, ledger: { ...config.ledger, readOnly: true } });
    await app.start();
  }
  // SystemClock timers are unref'd (they must not keep a live engine's process up), so while the
  // comparison sleeps between samples nothing else would keep this process alive: it would exit 0
  // silently after the first sample. Hold the event loop open until the report is printed.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    const tokenIds = [...new Set([...config.tokens, ...(app?.engine.tokenIds() ?? [])])];
    const report = await compareSources({
      sources, tokenIds, clock,
      durationMs: Math.round(durationS * 1000),
      intervalMs: Math.round(intervalS * 1000),
      ...(app && { effective: (t: string) => app!.engine.position(t).effective }),
    });
    process.stdout.write(`${scrubSecrets(formatCompareReport(report))}\n`);
    return 0;
  } finally {
    clearInterval(keepAlive);
    for (const s of sources) await s.source.dispose();
    await app?.dispose();
  }
}
