/** Config pieces shared by the strategies: exact share amounts, market ids, the diff and budget knobs. */
import { z } from 'zod';
import { formatMicros, parseMicros, type Micros } from '../../core/amounts.ts';
import { errorMessage } from '../../core/errors.ts';

/**
 * A share (or price) amount written as a decimal string or a YAML number, parsed exactly to Micros
 * (never through a float), within [min, max] given as decimal strings.
 */
export function micros(min: string, max: string, opts: { exclusiveMin?: boolean } = {}) {
  const lo = parseMicros(min, 'schema bound');
  const hi = parseMicros(max, 'schema bound');
  return z.union([z.string(), z.number()]).transform((v, ctx): Micros => {
    let m: Micros;
    try {
      m = parseMicros(v, 'this field');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: errorMessage(err) });
      return z.NEVER;
    }
    if (opts.exclusiveMin ? m <= lo : m < lo) {
      ctx.addIssue({ code: 'custom', message: `expected an amount ${opts.exclusiveMin ? 'above' : 'of at least'} ${min}, got ${formatMicros(m)}` });
      return z.NEVER;
    }
    if (m > hi) {
      ctx.addIssue({ code: 'custom', message: `expected an amount of at most ${max}, got ${formatMicros(m)}` });
      return z.NEVER;
    }
    return m;
  });
}

/** A Polymarket condition id (0x + 64 hex), normalised to lower case. */
export const marketId = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'a condition id (0x + 64 hex digits)').transform((s) => s.toLowerCase());

/** When a resting order is replaced (see shared/diff.ts). */
export const replaceFields = {
  toleranceTicks: z.number().int().min(0).max(100).default(1),
  maxAgeSeconds: z.number().min(1).max(86_400).default(120),
  refillBelowPercent: z.number().int().min(0).max(100).default(50),
};

/** Rate-budget requests left untouched for risk-reducing cancels. */
export const budgetReserve = z.strictObject({
  orders: z.number().int().min(0).max(100_000).default(5),
  cancels: z.number().int().min(0).max(100_000).default(5),
}).default({ orders: 5, cancels: 5 });
