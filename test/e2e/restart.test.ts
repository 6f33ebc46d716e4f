/**
 * Restart: the exchange runs as its own process (`polyquote sim`), the bot (`polyquote run`, the
 * shipped config with the exchange's explicit URLs) is SIGKILLed while quoting and restarted on the
 * same ledger. The restarted bot never rests two orders on one token side (no duplicates), records
 * every trade of ours the exchange made (no lost fill), and submits nothing before
 * its fresh snapshot (AWAITING_SNAPSHOT until then).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ClobClient } from '@polymarket/clob-client-v2';
import { createWalletClient, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { polygon } from 'viem/chains';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../core/config/load.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { shippedRaw } from './embedded.ts';
import { control, scratch, spawnCli, stopChild, waitFor, type Child, type SimTrade, readLedgerRecords } from './support.ts';

const s = scratch('restart');
const children: Child[] = [];
afterAll(async () => {
  for (const c of children.reverse()) await stopChild(c, 'SIGKILL');
  s.cleanup();
});

interface SimInfo {
  clobUrl: string; userWsUrl: string; marketWsUrl: string; dataApiUrl: string; rpcUrl: string; controlUrl: string;
  markets: { conditionId: string; tokens: string[] }[];
  accounts: { address: string; privateKey: Hex }[];
  contracts: { ctf: string; collateral: string };
}

async function startSim(): Promise<SimInfo> {
  const raw = shippedRaw();
  const simFile = path.join(s.dir, 'sim.yaml');
  writeFileSync(simFile, stringify({ ...raw.simulator, flow: { ...raw.simulator.flow, takerRatePerSecond: 3 } }));
  const sim = spawnCli(['sim', '--port', '0', '--config', simFile], { cwd: s.dir, tmp: s.tmp });
  children.push(sim);
  const line = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`sim printed nothing in 45 s: ${sim.stderr}`)), 45_000);
    createInterface({ input: sim.proc.stdout }).once('line', (l) => {
      clearTimeout(t);
      resolve(l);
    });
  });
  return JSON.parse(line) as SimInfo;
}

/** The shipped config pointed at the running exchange (no simulator block, no `embedded`). */
function botConfig(info: SimInfo): string {
  const raw = shippedRaw();
  delete raw.simulator;
  const markets = info.markets.map((m) => m.conditionId);
  raw.identity = { funder: info.accounts[0]!.address };
  raw.venue = { ...raw.venue, clobUrl: info.clobUrl, userWsUrl: info.userWsUrl, marketWsUrl: info.marketWsUrl, markets };
  raw.positionSource.sources[0] = { ...raw.positionSource.sources[0], rpcUrl: info.rpcUrl, contract: info.contracts.ctf, collateral: info.contracts.collateral, intervalSeconds: 1 };
  raw.positionSource.sources[1] = { ...raw.positionSource.sources[1], url: info.dataApiUrl };
  raw.strategy = { ...raw.strategy, markets };
  // Capital recycling merges on the exchange's chain too (left `embedded`, it would start a second, unrelated one).
  raw.recycling = { ...raw.recycling, rpcUrl: info.rpcUrl, contract: info.contracts.ctf, collateral: info.contracts.collateral };
  const file = path.join(s.dir, 'bot.yaml');
  writeFileSync(file, stringify(raw));
  return file;
}

describe('restart after SIGKILL on the same ledger', () => {
  it('neither duplicates resting orders nor loses a fill, and quotes only after a fresh snapshot', async () => {
    const info = await startSim();
    const file = botConfig(info);
    const account = privateKeyToAccount(info.accounts[0]!.privateKey);
    const signer = createWalletClient({ account, chain: polygon, transport: http('http://127.0.0.1:9') });
    const creds = await new ClobClient({ host: info.clobUrl, chain: 137, signer }).createOrDeriveApiKey();
    const clob = new ClobClient({ host: info.clobUrl, chain: 137, signer, creds });
    const funder = account.address.toLowerCase();
    const env = { POLYQUOTE_PRIVATE_KEY: info.accounts[0]!.privateKey };
    const ourTrades = async () => (await control<SimTrade[]>(info.controlUrl, 'trades')).filter((t) => t.makers.some((m) => m.maker?.toLowerCase() === funder) || t.taker.toLowerCase() === funder);

    // Run 1 quotes and gets filled; then it is SIGKILLed.
    const run1 = spawnCli(['run', '--config', file, '--view', 'json'], { cwd: s.dir, tmp: s.tmp, env });
    children.push(run1);
    await waitFor('resting orders and a trade of ours', async () => (await clob.getOpenOrders()).length >= 2 && (await ourTrades()).length >= 1, 60_000, 250);
    run1.proc.kill('SIGKILL');
    const killed = await run1.exited;
    expect(killed.signal).toBe('SIGKILL');
    const killAt = Date.now();

    // Run 2 on the same ledger: never two resting orders of ours on one token side.
    const run2 = spawnCli(['run', '--config', file, '--view', 'json'], { cwd: s.dir, tmp: s.tmp, env });
    children.push(run2);
    const submitted = () => run2.lines().filter((l) => l.kind === 'status').some((l) => (l.ordersSubmitted as number) > 0);
    const end = Date.now() + 60_000;
    let quotedAgainAt: number | undefined;
    while (Date.now() < end && (quotedAgainAt === undefined || Date.now() < quotedAgainAt + 6000)) {
      const open = await clob.getOpenOrders();
      const perSide = new Map<string, number>();
      for (const o of open) perSide.set(`${o.asset_id}/${o.side}`, (perSide.get(`${o.asset_id}/${o.side}`) ?? 0) + 1);
      for (const [k, n] of perSide) expect(n, `resting orders on ${k}`).toBe(1);
      if (quotedAgainAt === undefined && submitted()) quotedAgainAt = Date.now();
      expect(run2.proc.exitCode, run2.stderr.slice(-2000)).toBeNull();
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(quotedAgainAt, `run 2 never quoted: ${run2.stderr.slice(-2000)}`).toBeDefined();
    await stopChild(run2, 'SIGTERM');
    expect((await run2.exited).code).toBe(0);

    // Every trade of ours the exchange made is in the ledger.
    const trades = await ourTrades();
    expect(trades.length).toBeGreaterThanOrEqual(1);
    process.env.POLYQUOTE_PRIVATE_KEY = info.accounts[0]!.privateKey; // anvil's public dev key
    const config = loadConfigFile(file, new PluginRegistry());
    const records = readLedgerRecords(config);
    // A trade may first reach the ledger as MINED or CONFIRMED (start-up reconciliation of what happened meanwhile).
    const fills = records.filter((r) => r.type === 'fill');
    const missing = trades.filter((t) => !fills.some((r) => r.payload.tradeId === t.id));
    expect(missing.map((t) => `${t.id} ${t.status} ${t.tokenId.slice(0, 8)}`), 'trades of ours the ledger never recorded').toEqual([]);

    // Run 2 submitted nothing before a fresh authoritative snapshot of its own.
    const after = records.filter((r) => r.at > killAt);
    const firstSubmit = after.find((r) => r.type === 'submit');
    const firstSnapshot = after.find((r) => r.type === 'balance' && r.payload.degraded !== true);
    expect(firstSubmit).toBeDefined();
    expect(firstSnapshot).toBeDefined();
    expect(firstSnapshot!.seq).toBeLessThan(firstSubmit!.seq);
    // …and said why it waited: halted AWAITING_SNAPSHOT until then.
    expect(run2.stdout + run2.stderr).toMatch(/AWAITING_SNAPSHOT/);
  }, 150_000);
});
