/**
 * Waiting on conditions instead of sleeping for fixed times: a loaded CI machine (2 cores, the whole
 * suite in parallel) can stall any step for a second or more, so tests wait for what they need to
 * happen, with a generous deadline that only a real failure reaches.
 */

export interface WaitOptions {
  /** Gives up after this long (default 20 s: far beyond any normal run, well inside a test's timeout). */
  readonly timeoutMs?: number;
  /** Polls this often (default 50 ms). */
  readonly everyMs?: number;
}

/**
 * Polls `fn` until it returns a truthy value and returns that value; throws, naming `what` (and the
 * last value or error seen), once `timeoutMs` passed without one.
 */
export async function waitUntil<T>(what: string, fn: () => T | Promise<T>, opts: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const everyMs = opts.everyMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${seen})`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
