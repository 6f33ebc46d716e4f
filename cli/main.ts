#!/usr/bin/env node
/**
 * The polyquote command line. Exit codes: 0 ok, 1 runtime failure (bad tape line, ledger error),
 * 2 bad usage or bad config — in every failure case before anything was changed.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../core/config/load.ts';
import { ConfigError, PolyquoteError, UsageError, errorMessage } from '../core/errors.ts';
import { createLogger, scrubSecrets } from '../core/logger.ts';
import { replayTape } from '../app/replay/replay.ts';
import { App } from '../app/app.ts';
import { VirtualClock } from '../core/clock.ts';
import { ingestTape } from '../app/replay/ingest.ts';
import { PluginRegistry } from '../plugins/registry.ts';
import { fileLines } from './lines.ts';
import { inputFile, numberFlag } from './args.ts';
import { runDemo } from './demo.ts';
import { ledgerCommand } from './ledger-commands.ts';
import { sourcesCompareCommand } from './sources-compare.ts';
import { simCommand } from './sim.ts';
import { runCommand } from './run.ts';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseConfigForCheck } from '../app/embedded.ts';
import { parseRecycling } from '../app/run/recycling-config.ts';
import { parseConfig } from '../core/config/load.ts';
import { reportCommand } from './report.ts';

const USAGE = `usage:
  polyquote demo [--tape <file>] [--config <file>]     replay the shipped example session, readable by a person (npm start)
  polyquote replay --config <file> --tape <file> [--skip-bad-lines]
  polyquote ingest --config <file> --tape <file> [--pace-ms <n>] [--overlap-seconds <n>]   feed a tape into the live engine and its ledger
  polyquote ledger export --config <file> --tape <out.jsonl> [--from <iso|ms>] [--to <iso|ms>]
  polyquote ledger inspect --config <file>
  polyquote sources compare --config <file> [--seconds <n>] [--interval-seconds <n>]
  polyquote report --config <file> --tape <file> --out <report.html> [--title <text>] [--skip-bad-lines]   one self-contained HTML incident report
  polyquote check-config --config <file>
  polyquote run --config <file> [--duration <s>] [--summary <file>] [--view json]   the bot: venue, sources, engine, ledger, strategy (npm start)
  polyquote sim [--port <n>] [--seed <s>] [--config <file>]   run the embedded Polymarket exchange and a local chain; prints one JSON line`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const registry = new PluginRegistry();
  switch (cmd) {
    case 'replay': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string' }, tape: { type: 'string' }, 'skip-bad-lines': { type: 'boolean' } }, strict: true });
      if (!values.config || !values.tape) return usage('replay needs --config and --tape');
      const tape = inputFile(values.tape, '--tape');
      const config = loadConfigFile(values.config, registry);
      const logger = createLogger({ level: process.env.POLYQUOTE_LOG_LEVEL ?? 'silent' });
      const summary = await replayTape({
        config, lines: fileLines(tape), skipBadLines: values['skip-bad-lines'] ?? false, logger,
        output: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
        onSkipped: (e) => process.stderr.write(`skipped: ${e.message}\n`),
        onFrameProblem: (line, message) => process.stderr.write(`tape line ${line}: frame event skipped: ${message}\n`),
      });
      if (summary.skipped) process.stderr.write(`${summary.skipped} bad line(s) skipped\n`);
      return 0;
    }
    case 'ingest': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string' }, tape: { type: 'string' }, 'pace-ms': { type: 'string' }, 'overlap-seconds': { type: 'string' } }, strict: true });
      if (!values.config || !values.tape) return usage('ingest needs --config and --tape');
      const tape = inputFile(values.tape, '--tape');
      const paceMs = numberFlag(values['pace-ms'], '--pace-ms', 0, 60_000, { integer: true }) ?? 0;
      const overlapSeconds = numberFlag(values['overlap-seconds'], '--overlap-seconds', 0, 86_400) ?? 10;
      const config = loadConfigFile(values.config, registry);
      const summary = await ingestTape({
        config, lines: () => fileLines(tape),
        logger: createLogger({ level: process.env.POLYQUOTE_LOG_LEVEL ?? 'silent' }),
        paceMs, overlapMs: Math.round(overlapSeconds * 1000),
        output: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
        progress: (n) => process.stderr.write(`ingested ${n}/…\n`),
        onFrameProblem: (line, message) => process.stderr.write(`tape line ${line}: frame event skipped: ${message}\n`),
      });
      process.stderr.write(`${JSON.stringify({ done: summary })}\n`);
      return 0;
    }
    case 'demo':
    case undefined: {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string' }, tape: { type: 'string' } }, strict: true });
      return runDemo({ registry, ...(values.config && { configFile: values.config }), ...(values.tape && { tapeFile: values.tape }) });
    }
    case 'ledger':
      return ledgerCommand(rest, registry);
    case 'sources':
      if (rest[0] !== 'compare') return usage('expected "sources compare"');
      return sourcesCompareCommand(rest.slice(1), registry);
    case 'sim':
      return simCommand(rest);
    case 'run':
      return runCommand(rest, registry, usage);
    case 'report':
      return reportCommand(rest, registry);
    case 'check-config': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string' } }, strict: true });
      if (!values.config) return usage('check-config needs --config');
      const file = values.config;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new ConfigError([{ path: '', message: `expected a readable config file, got ${errorMessage(err)}` }], file);
      }
      let raw: unknown;
      try {
        raw = parseYaml(text);
      } catch {
        raw = undefined;
      }
      const baseDir = path.dirname(path.resolve(file));
      const config = parseConfigForCheck(text, raw, (env, transform) => parseConfig(text, registry, { env, file, baseDir, ...(transform && { transform }) }));
      if (config.recycling) parseRecycling(config.recycling, file);
      // Every plugin but the position source (which would dial its RPC) is built as a run builds it,
      // nothing started or opened: a config check-config accepts is one the commands accept.
      await App.create(config, { clock: new VirtualClock(0), readOnly: true, withoutSources: true, logger: createLogger({ level: 'silent' }) }).dispose();
      process.stdout.write(`${values.config}: ok\n`);
      return 0;
    }
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      return usage(`unknown command ${JSON.stringify(cmd)}`);
  }
}

function usage(msg: string): number {
  process.stderr.write(`polyquote: ${msg}\n${USAGE}\n`);
  return 2;
}

// A closed stdout (`replay … | head -1`) ends the run quietly: nobody is reading any more.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const msg = scrubSecrets(errorMessage(err));
    if (err instanceof UsageError) {
      process.exitCode = usage(msg);
    } else if (err instanceof ConfigError) {
      process.stderr.write(`polyquote: ${msg}\n`);
      process.exitCode = 2;
    } else if (err instanceof PolyquoteError) {
      process.stderr.write(`polyquote: ${err.code}: ${msg}\n`);
      process.exitCode = 1;
    } else if (err instanceof TypeError && /parseArgs|Unknown option|ERR_PARSE_ARGS/.test(String((err as { code?: string }).code ?? err.message))) {
      process.exitCode = usage(msg);
    } else {
      process.stderr.write(`polyquote: unexpected error: ${msg}\n${err instanceof Error && err.stack ? scrubSecrets(err.stack) : ''}\n`);
      process.exitCode = 1;
    }
  },
);
