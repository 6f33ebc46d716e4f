/**
 * `npm start` (until the Polymarket connector and simulator land): replays the shipped example
 * session through the real engine and prints, line by line, how confirmed, pending and effective
 * sizes and the risk mode evolve.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMicros } from '../core/amounts.ts';
import { loadConfigFile } from '../core/config/load.ts';
import type { InboundEvent } from '../core/events.ts';
import { createLogger } from '../core/logger.ts';
import { replayTape } from '../app/replay/replay.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import type { App } from '../app/app.ts';
import { fileLines } from './lines.ts';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export interface DemoOptions {
  registry: PluginRegistry;
  configFile?: string;
  tapeFile?: string;
  write?: (s: string) => void;
}

/** Runs the demo; returns the exit code. */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const write = opts.write ?? ((s: string) => void process.stdout.write(s));
  const configFile = opts.configFile ?? path.join(root, 'examples', 'demo.config.yaml');
  const tapeFile = opts.tapeFile ?? path.join(root, 'examples', 'session.tape.jsonl');
  const config = loadConfigFile(configFile, opts.registry);
  const names = new Map<string, string>(config.tokens.map((t, i) => [t, i === 0 ? 'YES' : i === 1 ? 'NO' : `T${i}`]));
  const short = (t: string) => names.get(t) ?? `${t.slice(0, 6)}…`;
  let t0: number | undefined;
  const clockText = (at: number) => `+${(((at - (t0 ??= at)) / 1000).toFixed(1)).padStart(6)}s`;
  let app: App | undefined;

  write(`polyquote demo — replaying ${path.relative(process.cwd(), tapeFile) || tapeFile} with ${path.relative(process.cwd(), configFile) || configFile}\n`);
  write('confirmed = authoritative balance, pend = pending fills (+buys/−sells), eff = effective, resv = open BUY reservations\n\n');
  await replayTape({
    config,
    lines: fileLines(tapeFile),
    logger: createLogger({ level: process.env.POLYQUOTE_LOG_LEVEL ?? 'silent' }),
    onApp: (a) => {
      app = a;
      a.bus.events$.subscribe(({ seq, event }) => {
        write(`${clockText(event.at)} #${String(seq).padStart(3)} ${describe(event, short)}\n`);
        for (const t of touched(event)) write(`${' '.repeat(14)}${short(t).padEnd(4)} ${positionText(a, t)}\n`);
      });
      a.bus.alerts$.subscribe((al) => write(`${clockText(al.at)}  ALERT [${al.severity}] ${al.message.replace(/\d{20,}/g, (m) => short(m))}\n`));
    },
    output: (line) => {
      if (!line.answer) return;
      const tok = Object.keys(line.positions)[0]!;
      write(`${clockText(Date.parse(line.at))}  QUERY ${short(tok)} ${Object.entries(line.answer).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
    },
  });
  if (app) {
    write('\nfinal state:\n');
    for (const t of app.engine.tokenIds().sort()) write(`  ${short(t).padEnd(4)} ${positionText(app, t)}\n`);
    const sh = app.engine.risk.shadowSets.map((s) => `${s.name}: ${app!.engine.risk.divergenceCount(s.name)} divergent evaluations`).join(', ');
    if (sh) write(`  shadow policy sets — ${sh}\n`);
  }
  return 0;
}

function positionText(app: App, tokenId: string): string {
  const p = app.engine.position(tokenId);
  const d = app.engine.risk.decisionFor(tokenId);
  const f = formatMicros;
  const risk = d.mode === 'normal' && d.reasons.length === 0 ? 'normal' : `${d.mode}${d.reasons.length ? ` (${d.reasons.join(', ')})` : ''} sides=${d.allowedSides.join('/') || 'none'} x${d.sizeMultiplier}${d.extraTicks ? ` +${d.extraTicks}tick` : ''}`;
  return `confirmed ${f(p.confirmed).padStart(5)} | pend +${f(p.pendingBuys)}/−${f(p.pendingSells)} | eff ${f(p.effective).padStart(5)} | resv ${f(p.pendingOrderBuys).padStart(3)} | risk ${risk}`;
}

function touched(e: InboundEvent): string[] {
  switch (e.type) {
    case 'fill':
    case 'submit':
      return [e.tokenId];
    case 'order':
      return e.tokenId ? [e.tokenId] : [];
    case 'balance':
      return [...e.balances.keys()];
    default:
      return [];
  }
}

function describe(e: InboundEvent, short: (t: string) => string): string {
  const f = formatMicros;
  switch (e.type) {
    case 'fill':
      return `fill ${e.status.padEnd(9)} ${e.side} ${f(e.size)} ${short(e.tokenId)} @${f(e.price)} trade=${e.tradeId ?? '(none)'} order=${e.orderId ?? '-'}`;
    case 'submit':
      return `submit ${e.side} ${f(e.size)} ${short(e.tokenId)} @${f(e.price)} order=${e.orderId}`;
    case 'cancel':
      return `cancel requested order=${e.orderId} (reservation kept until the venue confirms)`;
    case 'order':
      return `order ${e.orderId} ${e.status}${e.sizeMatched !== undefined ? ` matched=${f(e.sizeMatched)}` : ''}`;
    case 'balance':
      return `snapshot from ${e.source}${e.block !== undefined ? ` block ${e.block}` : ''}${e.degraded ? ' (FALLBACK)' : ''}: ${[...e.balances].map(([t, v]) => `${short(t)}=${f(v)}`).join(' ')}`;
    case 'source_error':
      return `source ${e.source} failed: ${e.error}`;
    case 'connection':
      return `${e.channel} feed ${e.state}`;
    case 'gap':
      return `${e.channel} feed gap: ${e.reason ?? ''}`;
    case 'book':
      return `book ${short(e.tokenId)} best ${f(e.bids[0]?.[0] ?? 0n)} / ${f(e.asks[0]?.[0] ?? 0n)}`;
    case 'merge':
      return `merge ${e.status} ${f(e.amount)} of ${short(e.tokens[0])}+${short(e.tokens[1])} into collateral${e.txHash ? ` tx ${e.txHash}` : ''}`;
    case 'book_delta':
      return `book change ${short(e.tokenId)}: ${e.changes.map((c) => `${c.side} ${f(c.price)}→${f(c.size)}`).join(' ')}${e.tickSize !== undefined ? ` tick ${f(e.tickSize)}` : ''}`;
  }
}
