/**
 * One seed of the chaos suite: the simulator in its own process with the plan's faults on, the bot
 * started, killed with SIGKILL at the plan's moments and restarted on the same ledger; then faults
 * off, convergence measured, SIGTERM, and the figures computed from the ground truth.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { parseMicros } from '../core/amounts.ts';
import { botConfig, PRIVATE_KEY_ENV, type SimEndpoints } from './bot-config.ts';
import { compareFills, divergent, shortId, expectedEffective, orderFigures, ourFills, repeatedOrderIds, statusEffective, unrecordedOrders, unsettledCount } from './figures.ts';
import { chainBalances, control, ledgerRecords, simExposures, simTrades } from './ground-truth.ts';
import { FAULTS_OFF, type ChaosPlan } from './plan.ts';
import { spawnPolyquote, startSim, type Child } from './procs.ts';

export interface ScenarioOptions {
  readonly dir: string;
  readonly maxPositionShares: number;
  readonly sizeShares: number;
  readonly pendingFillTtlSeconds: number;
  /** How long the observer may take to show every token at its on-chain balance (TTL + margin). */
  readonly convergeTimeoutSeconds: number;
  /** Seconds of trading with faults off, watching whether the bot agrees with the ground truth. */
  readonly liveWindowSeconds: number;
  readonly log?: (msg: string) => void;
}

export interface SeedResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly failures: string[];
  readonly kills: number;
  /** Bot starts after the first: one per kill, plus the observer. */
  readonly restarts: number;
  readonly ourOrders: number;
  readonly limitBreaches: number;
  readonly duplicateOrders: number;
  /** Accepted orders of ours missing from the ledger's submit records (a figure: a SIGKILL can lose the last group commit). */
  readonly unrecordedOrders: number;
  readonly fills: number;
  readonly fillsLost: number;
  readonly fillsCountedTwice: number;
  readonly convergenceSeconds: number | null;
  /** Trading with faults off: seconds until the bot first agreed with the ground truth on two samples (null: never in the window). */
  readonly liveAgreementSeconds: number | null;
  readonly halts: number;
  readonly haltReasons: string[];
  readonly secondsNormal: number;
  readonly secondsDegraded: number;
  readonly secondsHalted: number;
  readonly details: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSeed(plan: ChaosPlan, o: ScenarioOptions): Promise<SeedResult> {
  const log = o.log ?? (() => undefined);
  mkdirSync(o.dir, { recursive: true });
  const simFile = path.join(o.dir, 'sim.yaml');
  writeFileSync(simFile, stringify(plan.sim));
  const { child: sim, info } = await startSim(o.dir, plan.seed, simFile);
  const bots: Child[] = [];
  try {
    await control(info.controlUrl, 'faults', plan.controlFaults);
    const funder = info.accounts[0]!.address;
    const cfgFile = path.join(o.dir, 'bot.yaml');
    const ledgerPath = path.join(o.dir, 'ledger.sqlite');
    writeFileSync(cfgFile, botConfig(info, { ledgerPath, maxPositionShares: o.maxPositionShares, sizeShares: o.sizeShares, pendingFillTtlSeconds: o.pendingFillTtlSeconds }));
    const summaryFile = path.join(o.dir, 'summary.json');
    const observerFile = path.join(o.dir, 'observer.yaml');
    writeFileSync(observerFile, botConfig(info, { ledgerPath, maxPositionShares: o.maxPositionShares, sizeShares: o.sizeShares, pendingFillTtlSeconds: o.pendingFillTtlSeconds, trading: false }));
    const startBot = async (trading = true): Promise<Child> => {
      const args = ['run', '--config', trading ? cfgFile : observerFile, '--view', 'json', '--summary', summaryFile];
      const bot = spawnPolyquote(`bot#${bots.length}`, args, o.dir, { [PRIVATE_KEY_ENV]: info.accounts[0]!.privateKey }, path.join(o.dir, `bot-${bots.length}.log`));
      bots.push(bot);
      await bot.waitFor((l) => l.includes('trading: '), 120_000, '"trading:" on stderr');
      return bot;
    };
    let bot = await startBot();
    for (const [i, k] of plan.kills.entries()) {
      log(`seed ${plan.seed}: run ${i + 1} for ${k.aliveSeconds}s, then SIGKILL, down ${k.downSeconds}s`);
      await sleep(k.aliveSeconds * 1000);
      if (bot.exited) throw new Error(`${bot.name} exited by itself before its kill; stderr tail: ${bot.stderr.slice(-1500)}`);
      bot.kill('SIGKILL');
      await bot.exit;
      await sleep(k.downSeconds * 1000);
      bot = await startBot();
    }
    log(`seed ${plan.seed}: last run, ${plan.finalSeconds}s with faults on`);
    await sleep(plan.finalSeconds * 1000);
    await control(info.controlUrl, 'faults', FAULTS_OFF);
    const offAt = Date.now();
    // Still trading, faults off: does what the bot shows agree with the ground truth (a figure, not an invariant)?
    log(`seed ${plan.seed}: faults off; ${o.liveWindowSeconds}s more trading`);
    const live = await converge(info, bot, funder, offAt, o.liveWindowSeconds);
    const liveDivergence = lastDivergence;
    const stopped = await bot.stop(60_000);
    if (stopped.code !== 0) throw new Error(`${bot.name} did not stop cleanly on SIGTERM (code ${stopped.code}, signal ${stopped.signal}); stderr tail: ${bot.stderr.slice(-1500)}`);
    // Trades settle; then an observer (same ledger, no strategy) must show every token at its on-chain balance within the TTL.
    await settle(info, funder, 60_000);
    log(`seed ${plan.seed}: trades settled; observer restart, waiting for convergence`);
    const observer = await startBot(false);
    const observedAt = Date.now();
    const convergenceSeconds = await converge(info, observer, funder, observedAt, o.convergeTimeoutSeconds);
    const observerDivergence = lastDivergence;
    const obsStop = await observer.stop(60_000);
    if (obsStop.code !== 0) throw new Error(`${observer.name} did not stop cleanly on SIGTERM (code ${obsStop.code}); stderr tail: ${observer.stderr.slice(-1500)}`);
    const trades = await simTrades(info.controlUrl);
    const exposures = await simExposures(info.controlUrl);
    const fills = ourFills(trades, funder);
    const ledger = ledgerRecords(ledgerPath);
    const cmp = compareFills(fills, ledger.fills);
    const unrecorded = unrecordedOrders(exposures, funder, ledger.submittedIds);
    const orders = orderFigures(exposures, funder, parseMicros(String(o.maxPositionShares), 'maxPositionShares'), parseMicros(String(o.sizeShares), 'sizeShares'));
    const repeated = repeatedOrderIds(exposures, funder);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Record<string, unknown> & { tokens: Record<string, { reasons: string[]; mode: string }> };
    const runs = bots.map((b) => b.lastJson('summary') ?? b.lastJson('status') ?? {});
    const num = (k: string) => runs.reduce((s, r) => s + (typeof r[k] === 'number' ? (r[k] as number) : 0), 0);
    const haltReasons = [...new Set(bots.flatMap((b) => haltReasonsIn(b.stderr)))].sort();
    const failures: string[] = [];
    if (orders.limitBreaches.length > 0) failures.push(`${orders.limitBreaches.length} limit breaches`);
    if (cmp.lost.length > 0) failures.push(`${cmp.lost.length} fills lost`);
    const twice = cmp.counterfeit.length + cmp.conflicting.length;
    if (twice > 0) failures.push(`${twice} fills counted twice or wrong`);
    if (orders.duplicateOrders.length + repeated.length > 0) failures.push(`${orders.duplicateOrders.length + repeated.length} duplicate orders`);
    if (convergenceSeconds === null) failures.push(`no convergence within ${o.convergeTimeoutSeconds}s of the trades settling`);
    const badHalts = haltReasons.filter((r) => !plan.allowedHaltReasons.includes(r));
    if (badHalts.length > 0) failures.push(`halts for reasons the plan does not allow: ${badHalts.join(', ')}`);
    return {
      seed: plan.seed, ok: failures.length === 0, failures, kills: plan.kills.length, restarts: bots.length - 1,
      ourOrders: orders.ourOrders, limitBreaches: orders.limitBreaches.length, duplicateOrders: orders.duplicateOrders.length + repeated.length, unrecordedOrders: unrecorded.length,
      fills: fills.length, fillsLost: cmp.lost.length, fillsCountedTwice: twice, convergenceSeconds, liveAgreementSeconds: live,
      halts: num('halts'), haltReasons, secondsNormal: round1(num('secondsNormal')), secondsDegraded: round1(num('secondsDegraded')), secondsHalted: round1(num('secondsHalted')),
      details: {
        lost: cmp.lost, counterfeit: cmp.counterfeit, conflicting: cmp.conflicting, limitBreaches: orders.limitBreaches.slice(0, 20),
        duplicateOrders: orders.duplicateOrders.slice(0, 20), liveDivergence, observerDivergence, repeatedOrderIds: repeated, unrecordedOrders: unrecorded.slice(0, 20), ledgerFillKeys: cmp.ledgerKeys, finalTokens: summary.tokens,
      },
    };
  } finally {
    for (const b of bots) if (!b.exited) await b.stop(10_000);
    await sim.stop(30_000);
  }
}

/** What differed at the last convergence sample (for the report when it never converges). */
let lastDivergence: string[] = [];

/** Seconds from `offAt` until the bot's effective sizes equal chain + unsettled fills on two fresh status lines in a row; null on timeout. */
async function converge(info: SimEndpoints, bot: Child, funder: string, offAt: number, timeoutSeconds: number): Promise<number | null> {
  let streak = 0;
  let lastLine = '';
  lastDivergence = [];
  while (Date.now() - offAt < timeoutSeconds * 1000) {
    await sleep(1000);
    const status = bot.lastJson('status');
    const line = JSON.stringify(status ?? null);
    if (!status || line === lastLine) continue; // wait for a fresh status line
    lastLine = line;
    try {
      const tokens = info.markets.flatMap((m) => m.tokens);
      const [trades, chain] = await Promise.all([simTrades(info.controlUrl), chainBalances(info.rpcUrl, funder, tokens)]);
      const shown = statusEffective(status as { tokens?: Record<string, string> });
      const bad = divergent(expectedEffective(chain, ourFills(trades, funder)), shown, 10_000n);
      lastDivergence = bad.map((t) => `${t}: shown ${shown[t] ?? shown[shortId(t)]}`);
      streak = bad.length === 0 && Object.keys(shown).length > 0 ? streak + 1 : 0;
      if (streak >= 2) return Math.round((Date.now() - offAt) / 100) / 10;
    } catch {
      streak = 0;
    }
  }
  return null;
}

/** Waits until none of our trades is still unsettled in the simulator. */
async function settle(info: SimEndpoints, funder: string, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (unsettledCount(ourFills(await simTrades(info.controlUrl), funder)) === 0) return;
    await sleep(1000);
  }
}

/** Halt reasons in the bot's JSON logs: RISK_HALTED alerts (log sink) and lines with mode halted. */
export function haltReasonsIn(stderr: string): string[] {
  const out = new Set<string>();
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{') || !line.includes('halt')) continue;
    try {
      const j = JSON.parse(line) as { reasons?: unknown; mode?: unknown; alert?: unknown };
      if (Array.isArray(j.reasons) && (j.alert === 'RISK_HALTED' || j.mode === 'halted')) for (const r of j.reasons) out.add(String(r));
    } catch {
      // not a JSON log line
    }
  }
  return [...out];
}

const round1 = (x: number) => Math.round(x * 10) / 10;
