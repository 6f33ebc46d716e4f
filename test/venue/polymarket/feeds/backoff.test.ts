import { describe, expect, it } from 'vitest';
import { backoffDelay, seededRandom } from '../../../../plugins/venue/polymarket/feeds/backoff.ts';

const opts = { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 0.2 };

describe('backoffDelay', () => {
  it.each([
    { description: 'first retry, no jitter draw (mid-point)', attempt: 0, r: 0.5, want: 100 },
    { description: 'doubles each attempt', attempt: 3, r: 0.5, want: 800 },
    { description: 'lowest jitter', attempt: 1, r: 0, want: 160 },
    { description: 'highest jitter', attempt: 1, r: 0.999999, want: 240 },
    { description: 'capped at maxMs even with upward jitter', attempt: 10, r: 0.999999, want: 5_000 },
    { description: 'huge attempt numbers do not overflow', attempt: 10_000, r: 0.5, want: 5_000 },
  ])('$description', ({ attempt, r, want }) => {
    expect(backoffDelay(attempt, opts, () => r)).toBe(want);
  });

  it('a seeded source repeats exactly and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
  });
});
