/**
 * `polyquote sim [--port N] [--seed S] [--config F]`: runs the embedded Polymarket exchange (REST,
 * websockets, Data API, control endpoint) on 127.0.0.1 with a local anvil chain, prints one JSON
 * line describing it when ready, and runs until SIGINT/SIGTERM, when it stops anvil and exits 0.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../core/errors.ts';
import { parseSimConfig } from '../sim/config.ts';
import { Simulator } from '../sim/simulator.ts';

export async function simCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, seed: { type: 'string' }, config: { type: 'string' } }, strict: true });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError([{ path: '--port', message: `expected a port in 0..65535, got ${JSON.stringify(values.port)}` }]);
  let config: Record<string, unknown> = {};
  if (values.config) {
    const text = readFileSync(values.config, 'utf8');
    const parsed = (values.config.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as unknown;
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) throw new ConfigError([{ path: '(root)', message: 'expected a mapping of simulator settings' }], values.config);
    config = (parsed ?? {}) as Record<string, unknown>;
  }
  if (values.seed !== undefined) config = { ...config, seed: /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed };
  parseSimConfig(config, values.config); // fail early, naming the file
  const sim = await Simulator.start({ port, config });
  const { controlUrl, ...info } = sim.info;
  // The chain's contract addresses too, so a bot started beside it can read balances (chain source).
  const contracts = sim.chain && { ctf: sim.chain.contracts.ctf, collateral: sim.chain.contracts.collateral };
  process.stdout.write(`${JSON.stringify({ ...info, ...(contracts && { contracts }), controlUrl })}\n`);
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await sim.stop();
  return 0;
}
