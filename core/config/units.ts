/**
 * Config schemas for durations: every value a schema accepts is one the runtime can use — a whole
 * number of milliseconds (Node timers truncate the rest), at least `minSeconds`, and no longer than
 * a Node timer can wait (2^31 − 1 ms, about 24.8 days; longer ones fire at once with a warning).
 */
import { z } from 'zod';

export const MAX_TIMER_SECONDS = 2_000_000;

export function seconds(minSeconds: number, maxSeconds = MAX_TIMER_SECONDS) {
  return z.number().finite().superRefine((v, ctx) => {
    if (v < minSeconds || v > maxSeconds) ctx.addIssue({ code: 'custom', message: `expected seconds between ${minSeconds} and ${maxSeconds}, got ${v}` });
    else if (!Number.isInteger(Math.round(v * 1e6) / 1e3)) ctx.addIssue({ code: 'custom', message: `expected whole milliseconds (at most 3 decimals), got ${v}` });
  });
}
