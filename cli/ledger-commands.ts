/** `polyquote ledger export|inspect`: read-only views of the ledger, safe beside a running engine. */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { pluginBuilder } from '../app/app.ts';
import { loadConfigFile } from '../core/config/load.ts';
import { SystemClock } from '../core/clock.ts';
import { exportTape, formatInspect } from '../core/ledger/export.ts';
import type { Ledger } from '../core/ledger/ledger.ts';
import { createLogger } from '../core/logger.ts';
import { UsageError } from '../core/errors.ts';
import { outputFile, timeFlag } from './args.ts';
import type { PluginRegistry } from '../plugins/registry.ts';

export async function ledgerCommand(args: string[], registry: PluginRegistry): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { config: { type: 'string' }, tape: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } }, strict: true });
  if (!values.config) throw usageError(`ledger ${sub ?? ''} needs --config`);
  const config = loadConfigFile(values.config, registry);
  const build = pluginBuilder(registry, config, new SystemClock(), createLogger({ level: 'warn' }));
  const ledger = build<Ledger>('ledger', { ...config.ledger, ...(config.ledger.kind === 'sqlite' && { readOnly: true }) }, 'ledger');
  if (sub !== 'inspect' && sub !== 'export') throw usageError(`expected "ledger export" or "ledger inspect", got ${JSON.stringify(sub)}`);
  // Flags are checked before the ledger is opened: a usage error never depends on the ledger's state.
  const fromAt = timeFlag(values.from, '--from');
  const toAt = timeFlag(values.to, '--to');
  if (sub === 'export' && !values.tape) throw usageError('ledger export needs --tape <out.jsonl>');
  const held = 'path' in ledger && typeof ledger.path === 'string' ? ledgerFiles(ledger.path) : [];
  const target = values.tape === undefined ? undefined : outputFile(values.tape, '--tape', held);
  ledger.open();
  try {
    if (sub === 'inspect') {
      process.stdout.write(`${formatInspect(ledger.stats())}\n`);
      return 0;
    }
    if (sub === 'export') {
      // Never over the ledger or a file it holds open: checked (above) before the output is opened and truncated.
      let fd: number;
      try {
        fd = fs.openSync(target!, 'w');
      } catch (err) {
        throw new UsageError(`cannot write --tape ${values.tape}: ${(err as Error).message}`);
      }
      let n: number;
      try {
        n = await exportTape(ledger, fd, { ...(fromAt !== undefined && { fromAt }), ...(toAt !== undefined && { toAt }) });
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      process.stderr.write(`exported ${n} events to ${values.tape}\n`);
      return 0;
    }
    throw usageError(`expected "ledger export" or "ledger inspect", got ${JSON.stringify(sub)}`);
  } finally {
    ledger.close();
  }
}

/** The ledger file and every file SQLite or the lock keeps beside it. */
function ledgerFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`, `${file}.lock`, `${file}.ingest.jsonl`];
}

function usageError(msg: string): Error {
  return new UsageError(msg);
}
