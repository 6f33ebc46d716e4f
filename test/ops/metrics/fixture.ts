/** A small incident tape with known numbers, its config, a Prometheus text parser, and a replay that can pause. */
import { parseConfig } from '../../../core/config/load.ts';
import type { App } from '../../../app/app.ts';
import { replayTape } from '../../../app/replay/replay.ts';
import { PluginRegistry } from '../../../plugins/registry.ts';

export const A = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
export const B = '52114319501245915516055106046884209969926127482827954674443846427813813222426';

export const CONFIG_YAML = [
  'identity: { funder: "0x00000000000000000000000000000000000000f1" }',
  `tokens: ["${A}", "${B}"]`,
  'reconciler: { kind: oldest-first, pendingFillTtlSeconds: 120, toleranceShares: 0.01 }',
  'risk:',
  '  policies:',
  '    - { kind: conservative-limits, maxPositionShares: 200 }',
  '    - { kind: degrade, thresholdShares: 5, forSeconds: 2, sizeMultiplier: 0.5, extraTicks: 1 }',
  '    - { kind: hard-halt, sourceUnavailableSeconds: 300 }',
  '  shadow:',
  '    - name: strict',
  '      policies:',
  '        - { kind: conservative-limits, maxPositionShares: 120 }',
  '        - { kind: degrade, thresholdShares: 1, forSeconds: 1, sizeMultiplier: 0.25, extraTicks: 2 }',
  'alerts: []',
  'ledger: { kind: memory }',
  'log: { level: silent }',
].join('\n');

export const config = () => parseConfig(CONFIG_YAML, new PluginRegistry());

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const line = (s: number, o: Record<string, unknown>) => JSON.stringify({ at: at(s), ...o });

/** Index (0-based) of the line after which tests take their first look (after the discrepancy, the reject and the source error). */
export const MIDPOINT = 12;

export const SECRET = 'sk_live_TOPSECRET_0123456789';

export const INCIDENT_TAPE: string[] = [
  line(0, { kind: 'connection', channel: 'user', state: 'connected' }),
  line(1, { kind: 'balance', source: 'chain', balances: { [A]: '100', [B]: '0' }, block: '1' }),
  line(2, { kind: 'submit', orderId: '0xo1', tokenId: A, side: 'BUY', price: '0.5', size: '40' }),
  line(2.2, { kind: 'order', orderId: '0xo1', tokenId: A, side: 'BUY', status: 'LIVE', originalSize: '40', sizeMatched: '0' }),
  line(3, { kind: 'fill', tradeId: 't1', orderId: '0xo1', tokenId: A, side: 'BUY', size: '25', price: '0.5', status: 'MATCHED' }),
  line(3.1, { kind: 'order', orderId: '0xo1', status: 'LIVE', sizeMatched: '25' }),
  line(4, { kind: 'fill', tradeId: 't2', tokenId: A, side: 'SELL', size: '10', price: '0.6', status: 'MATCHED' }),
  // all confirmed: +15 = 25 bought − 10 sold
  line(5, { kind: 'balance', source: 'chain', balances: { [A]: '115', [B]: '0' }, block: '2' }),
  line(6, { kind: 'fill', tradeId: 't3', orderId: '0xo1', tokenId: A, side: 'BUY', size: '5', price: '0.5', status: 'MATCHED' }),
  // +35 with only 5 pending: a discrepancy of 30
  line(7, { kind: 'balance', source: 'chain', balances: { [A]: '150', [B]: '0' }, block: '3' }),
  line(8, { kind: 'submit', orderId: '0xo2', tokenId: B, side: 'BUY', price: '0.4', size: '10' }),
  line(8.5, { kind: 'order', orderId: '0xo2', tokenId: B, side: 'BUY', status: 'REJECTED', reason: 'not enough balance / allowance' }),
  line(9, { kind: 'source_error', source: 'chain', error: `rpc timeout (key ${SECRET})` }),
  line(10, { kind: 'connection', channel: 'user', state: 'disconnected' }),
  line(12, { kind: 'connection', channel: 'user', state: 'connected' }),
  line(13, { kind: 'book', tokenId: A, bids: [['0.49', '100']], asks: [['0.51', '80']] }),
  line(14, { kind: 'fill', tradeId: 't4', tokenId: B, side: 'BUY', size: '3', price: '0.4', status: 'MATCHED' }),
  // the fresh snapshot after the reconnect: a force reconcile
  line(15, { kind: 'balance', source: 'chain', balances: { [A]: '150', [B]: '3' }, block: '4' }),
  line(20, { kind: 'advance' }),
];

/** Replays `lines` through the real replay machinery, calling `at(i, app)` after line i was applied. */
export async function replayWithStops(lines: readonly string[], stops: Record<number, (app: App) => Promise<void>>, onApp?: (app: App) => void) {
  let app: App | undefined;
  async function* gen() {
    for (let i = 0; i < lines.length; i++) {
      yield lines[i]!;
      // The generator resumes when the replay asks for the next line: line i has been applied.
      const stop = stops[i];
      if (stop) await stop(app!);
    }
  }
  return replayTape({
    config: config(), lines: gen(), output: () => {},
    onApp: (a) => {
      app = a;
      onApp?.(a);
    },
  });
}

export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses Prometheus text exposition (what a scraper reads). */
export function parseProm(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (!l || l.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(l);
    if (!m) throw new Error(`unparseable metrics line: ${l}`);
    const labels: Record<string, string> = {};
    for (const lm of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]!] = lm[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}

/** The value of the one sample matching name and labels (undefined when none). */
export function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`expected one sample of ${name} ${JSON.stringify(labels)}, got ${hits.length}`);
  return hits[0]?.value;
}
