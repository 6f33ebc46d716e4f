/**
 * Config of the alert feed (strict, bounded), for the root config's `alertFeed:` block. Every part
 * has defaults, so `alertFeedConfigSchema.parse({})` is a working feed.
 */
import { z } from 'zod';

const seconds = (max: number) => z.number().positive().finite().max(max);

export const alertFeedConfigSchema = z.strictObject({
  fills: z.strictObject({
    /** `each`: one alert per fill with the effective size after it; `digest`: one per interval; `off`. */
    mode: z.enum(['each', 'digest', 'off']).default('each'),
    digestIntervalSeconds: seconds(86_400).default(3600),
  }).prefault({}),
  reconnectStorm: z.strictObject({
    /** Disconnects of one feed channel within the window that make a storm. */
    disconnects: z.number().int().min(2).max(1000).default(5),
    windowSeconds: seconds(86_400).default(300),
  }).prefault({}),
  feedGaps: z.boolean().default(true),
  /** Discrepancies beyond the reconciler's tolerance (watches positions$, which costs a view per change). */
  discrepancies: z.boolean().default(true),
  sourceFailures: z.strictObject({
    /** Consecutive failed snapshots of the position source before an alert. */
    consecutiveFailures: z.number().int().min(1).max(10_000).default(3),
  }).prefault({}),
  heartbeat: z.strictObject({
    /** How often the venue's heartbeat state is looked at (when a venue is wired). */
    checkSeconds: seconds(3600).default(5),
  }).prefault({}),
  dailySummary: z.strictObject({
    enabled: z.boolean().default(true),
    /** When the day's summary goes out, "HH:MM" UTC. */
    atUtc: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a UTC time "HH:MM"').default('00:00'),
  }).prefault({}),
});

export type AlertFeedConfig = z.infer<typeof alertFeedConfigSchema>;
