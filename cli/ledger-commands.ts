/** `polyquote ledger export|inspect`: read-only views of the ledger, safe beside a running engine. */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { pluginBuilder } from '../app/app.ts';
import { loadConfigFile } from '../core/config/load.ts';
import { SystemClock } from '../core/clock.ts';
import { exportTape, formatInspect } from '../core/ledger/export.ts';
import type { Ledger } from '../core/ledger/ledger.ts';
import { createLogger } from '../core/logger.ts';
import { parseAt } from '../core/tape-codec.ts';
import type { PluginRegistry } from '../plugins/registry.ts';

export async function ledgerCommand(args: string[], registry: PluginRegistry): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { config: { type: 'string' }, tape: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } }, strict: true });
  if (!values.config) throw usageError(`ledger ${sub ?? ''} needs --config`);
  const config = loadConfigFile(values.config, registry);
  const build = pluginBuilder(registry, config, new SystemClock(), createLogger({ level: 'warn' }));
  const ledger = build<Ledger>('ledger', { ...config.ledger, ...(config.ledger.kind === 'sqlite' && { readOnly: true }) }, 'ledger');
  ledger.open();
  try {
    if (sub === 'inspect') {
      process.stdout.write(`${formatInspect(ledger.stats())}\n`);
      return 0;
    }
    if (sub === 'export') {
      if (!values.tape) throw usageError('ledger export needs --tape <out.jsonl>');
      const out = createWriteStream(values.tape);
      const n = await exportTape(ledger, out, {
        ...(values.from && { fromAt: parseAt(asTime(values.from), '--from') }),
        ...(values.to && { toAt: parseAt(asTime(values.to), '--to') }),
      });
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      process.stderr.write(`exported ${n} events to ${values.tape}\n`);
      return 0;
    }
    throw usageError(`expected "ledger export" or "ledger inspect", got ${JSON.stringify(sub)}`);
  } finally {
    ledger.close();
  }
}

function asTime(v: string): string | number {
  return /^\d+$/.test(v) ? Number(v) : v;
}

function usageError(msg: string): Error {
  return Object.assign(new TypeError(msg), { code: 'ERR_PARSE_ARGS_USAGE' });
}
