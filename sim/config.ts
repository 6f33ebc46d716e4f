/**
 * The simulator's configuration: a strict zod schema where every knob has a default, so `{}` is a
 * working two-market exchange. Amounts are decimal strings; rates are probabilities in [0, 1].
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal string such as "0.01"');
const rate = z.number().min(0).max(1);
const ms = z.number().int().nonnegative();

export const wsFaultsSchema = z.strictObject({
  dropRate: rate.default(0), duplicateRate: rate.default(0), reorderRate: rate.default(0),
  /** Probability, per message sent, that the server then closes the socket abruptly. */
  disconnectRate: rate.default(0),
});

export const restFaultsSchema = z.strictObject({
  /** Per request: answer 500/502/503 instead of handling it. */
  error5xxRate: rate.default(0),
  rate425: rate.default(0),
  rate429: rate.default(0),
  retryAfterSeconds: z.number().int().positive().default(1),
  slowRate: rate.default(0),
  slowMs: ms.default(2000),
  /** POST /order(s): the order is booked, then the socket is destroyed before any answer. */
  lostResponseRate: rate.default(0),
});

export const faultsSchema = z.strictObject({
  ws: wsFaultsSchema.default(wsFaultsSchema.parse({})),
  rest: restFaultsSchema.default(restFaultsSchema.parse({})),
});
export type Faults = z.infer<typeof faultsSchema>;

const marketSchema = z.strictObject({
  question: z.string().min(1),
  negRisk: z.boolean().default(false),
  tickSize: z.enum(['0.1', '0.01', '0.001', '0.0001']).default('0.01'),
  minOrderSize: decimal.default('5'),
  /** Starting fair price of YES. */
  fairPrice: z.number().gt(0).lt(1).default(0.5),
  rewardsMaxSpread: decimal.default('3'),
  rewardsMinSize: decimal.default('20'),
  rewardsDailyRate: decimal.default('25'),
});

export const simConfigSchema = z.strictObject({
  seed: z.union([z.string(), z.number()]).default(1),
  chainId: z.literal(137).default(137),
  markets: z.array(marketSchema).min(1).default([
    { question: 'Will the simulated event A happen?', negRisk: false, tickSize: '0.01', minOrderSize: '5', fairPrice: 0.5, rewardsMaxSpread: '3', rewardsMinSize: '20', rewardsDailyRate: '25' },
    { question: 'Will candidate B win the simulated race?', negRisk: true, tickSize: '0.01', minOrderSize: '5', fairPrice: 0.3, rewardsMaxSpread: '3', rewardsMinSize: '20', rewardsDailyRate: '25' },
  ]),
  accounts: z.strictObject({
    /** Accounts handed out to clients (the rest of anvil's dev keys trade for the simulated makers and takers). */
    count: z.number().int().min(1).max(5).default(3),
  }).default({ count: 3 }),
  auth: z.strictObject({ maxClockSkewSeconds: z.number().int().positive().default(30) }).default({ maxClockSkewSeconds: 30 }),
  heartbeat: z.strictObject({ timeoutMs: ms.default(10_000) }).default({ timeoutMs: 10_000 }),
  gtd: z.strictObject({ minLifetimeSeconds: z.number().int().nonnegative().default(60), earlySeconds: z.number().int().nonnegative().default(60) }).default({ minLifetimeSeconds: 60, earlySeconds: 60 }),
  lifecycle: z.strictObject({
    minedDelayMs: ms.default(1500), confirmedDelayMs: ms.default(2500), retryDelayMs: ms.default(1000),
    failRate: rate.default(0.02), retryRate: rate.default(0.05),
  }).default({ minedDelayMs: 1500, confirmedDelayMs: 2500, retryDelayMs: 1000, failRate: 0.02, retryRate: 0.05 }),
  ws: z.strictObject({
    idleTimeoutMs: ms.default(60_000),
    /** Share of frames sent as a JSON array of events. */
    arrayFrameRate: rate.default(0.3),
    /** Share of trade messages whose status carries the TRADE_STATUS_ prefix. */
    tradeStatusPrefixRate: rate.default(0),
  }).default({ idleTimeoutMs: 60_000, arrayFrameRate: 0.3, tradeStatusPrefixRate: 0 }),
  positions: z.strictObject({ lagMs: ms.default(3000) }).default({ lagMs: 3000 }),
  restart: z.strictObject({ unavailableMs: ms.default(90_000), postOnlyMs: ms.default(120_000) }).default({ unavailableMs: 90_000, postOnlyMs: 120_000 }),
  flow: z.strictObject({
    enabled: z.boolean().default(true),
    tickMs: z.number().int().positive().default(1000),
    /** Std-dev of the fair price's step per tick (price units). */
    volatility: z.number().nonnegative().default(0.004),
    makers: z.number().int().min(1).max(4).default(2),
    levels: z.number().int().min(1).max(10).default(3),
    levelSize: decimal.default('50'),
    /** Half-spread of the simulated makers, in ticks. */
    halfSpreadTicks: z.number().int().min(1).default(2),
    /** Expected taker orders per second per market. */
    takerRatePerSecond: z.number().nonnegative().default(0.3),
    takerSizeMean: z.number().positive().default(15),
    /** Share of taker and maker orders placed on the NO token (complement matches). */
    complementRate: rate.default(0.35),
  }).default({ enabled: true, tickMs: 1000, volatility: 0.004, makers: 2, levels: 3, levelSize: '50', halfSpreadTicks: 2, takerRatePerSecond: 0.3, takerSizeMean: 15, complementRate: 0.35 }),
  faults: faultsSchema.default(faultsSchema.parse({})),
});

export type SimConfig = z.infer<typeof simConfigSchema>;
export type SimConfigInput = z.input<typeof simConfigSchema>;

/** Parses a config object (from YAML/JSON or code), with every default filled in. */
export function parseSimConfig(input: unknown, file?: string): SimConfig {
  const r = simConfigSchema.safeParse(input ?? {});
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })), file);
  return r.data;
}
