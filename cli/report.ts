/** `polyquote report --config <file> --tape <file> --out <report.html>`: one self-contained HTML incident report. */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../core/config/load.ts';
import { createLogger } from '../core/logger.ts';
import { buildIncidentReport } from '../ops/report/report.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import { fileLines } from './lines.ts';

const usageError = (msg: string) => Object.assign(new TypeError(msg), { code: 'ERR_PARSE_ARGS_USAGE' });

export async function reportCommand(args: string[], registry: PluginRegistry): Promise<number> {
  const { values } = parseArgs({
    args, strict: true,
    options: { config: { type: 'string' }, tape: { type: 'string' }, out: { type: 'string' }, title: { type: 'string' }, 'skip-bad-lines': { type: 'boolean' } },
  });
  if (!values.config || !values.tape || !values.out) throw usageError('report needs --config, --tape and --out');
  if (!existsSync(values.tape)) throw usageError(`tape file not found: ${values.tape}`);
  const config = loadConfigFile(values.config, registry);
  const report = await buildIncidentReport({
    config, lines: fileLines(values.tape), tapeName: path.basename(values.tape), skipBadLines: values['skip-bad-lines'] ?? false,
    logger: createLogger({ level: process.env.POLYQUOTE_LOG_LEVEL ?? 'silent' }),
    onSkipped: (e) => process.stderr.write(`skipped: ${e.message}\n`),
    ...(values.title && { title: values.title }),
  });
  // Written whole or not at all: a reader never sees half a report.
  const tmp = `${values.out}.tmp-${process.pid}`;
  writeFileSync(tmp, report.html);
  renameSync(tmp, values.out);
  const tl = report.timeline;
  process.stdout.write(`${JSON.stringify({ out: values.out, lines: report.lines, skipped: report.skipped, events: tl.events, tokens: tl.tokens.size, bytes: Buffer.byteLength(report.html) })}\n`);
  return 0;
}
