/**
 * Client-side token buckets kept below the venue's published limits (protocol doc §3 "Rate
 * limits"): one per endpoint (per 10 s windows, and POST /order's 10-minute cap), and the
 * per-signer order and cancel buckets (Standard tier by default). A request is admitted only when
 * every bucket it touches has room — a batch is admitted whole or not at all — and the venue's
 * `Poly-RateLimit-Remaining` / `-Reset` headers pull our signer bucket down to what it reports.
 */
import type { RateBucket } from '../../../../core/venue/venue.ts';

export class TokenBucket {
  private tokens: number;
  private at: number;
  private blockedUntil = 0;

  constructor(readonly capacity: number, readonly refillPerMs: number, now: number) {
    this.tokens = capacity;
    this.at = now;
  }

  private refill(now: number): void {
    if (now > this.at) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) * this.refillPerMs);
      this.at = now;
    }
  }

  /** Milliseconds until `cost` tokens are available (0 = now). */
  waitMs(cost: number, now: number): number {
    this.refill(now);
    if (cost > this.capacity) return Number.POSITIVE_INFINITY;
    const blocked = Math.max(0, this.blockedUntil - now);
    const short = cost - this.tokens;
    return Math.max(blocked, short <= 0 ? 0 : Math.ceil(short / this.refillPerMs));
  }

  /** Takes `cost` tokens unconditionally (the balance may go negative: a cost learnt afterwards). */
  take(cost: number, now: number): void {
    this.refill(now);
    this.tokens -= cost;
  }

  /** Adopts the venue's view: never more tokens than it says remain; ≤ 0 blocks until `resetAt`. */
  observe(remaining: number, resetAt: number | undefined, now: number): void {
    this.refill(now);
    if (remaining < this.tokens) this.tokens = remaining;
    if (remaining <= 0 && resetAt !== undefined && resetAt > now) this.blockedUntil = Math.max(this.blockedUntil, resetAt);
  }

  snapshot(now: number): RateBucket {
    this.refill(now);
    const missing = this.capacity - this.tokens;
    return {
      remaining: Math.floor(this.tokens),
      capacity: this.capacity,
      ...(missing > 0 ? { refillAt: Math.max(now + Math.ceil(missing / this.refillPerMs), this.blockedUntil) } : {}),
    };
  }
}

export type SignerBucket = 'orders' | 'cancels';

export interface RateLimitConfig {
  /** Fraction of each published limit we allow ourselves (default 0.8). */
  readonly safety?: number;
  /** Per-signer tier: orders/s and burst, cancels/s and burst (default Standard 40/60, 80/120). */
  readonly signer?: { readonly ordersPerSecond: number; readonly ordersBurst: number; readonly cancelsPerSecond: number; readonly cancelsBurst: number };
}

/** Published per-10 s limits by endpoint key ("METHOD /path"); `*` is the whole CLOB. */
export const ENDPOINT_LIMITS_PER_10S: Readonly<Record<string, number>> = {
  '*': 9000,
  'POST /order': 3500,
  'DELETE /order': 3000,
  'POST /orders': 1000,
  'DELETE /orders': 1000,
  'DELETE /cancel-all': 250,
  'GET /data/orders': 500,
  'GET /data/trades': 500,
  'GET /book': 1500,
};

export type Admission = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number; readonly bucket: string };

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  readonly orders: TokenBucket;
  readonly cancels: TokenBucket;

  constructor(now: number, cfg: RateLimitConfig = {}) {
    const safety = cfg.safety ?? 0.8;
    for (const [key, limit] of Object.entries(ENDPOINT_LIMITS_PER_10S)) {
      const cap = Math.max(1, Math.floor(limit * safety));
      this.buckets.set(key, new TokenBucket(cap, cap / 10_000, now));
    }
    const cap10m = Math.floor(36_000 * safety);
    this.buckets.set('POST /order@10m', new TokenBucket(cap10m, cap10m / 600_000, now));
    const s = cfg.signer ?? { ordersPerSecond: 40, ordersBurst: 60, cancelsPerSecond: 80, cancelsBurst: 120 };
    this.orders = new TokenBucket(Math.max(1, Math.floor(s.ordersBurst * safety)), (s.ordersPerSecond * safety) / 1000, now);
    this.cancels = new TokenBucket(Math.max(1, Math.floor(s.cancelsBurst * safety)), (s.cancelsPerSecond * safety) / 1000, now);
  }

  private touched(endpoint: string, signer: SignerBucket | undefined, signerCost: number): [string, TokenBucket, number][] {
    const list: [string, TokenBucket, number][] = [['*', this.buckets.get('*')!, 1]];
    const ep = this.buckets.get(endpoint);
    if (ep) list.push([endpoint, ep, 1]);
    const long = this.buckets.get(`${endpoint}@10m`);
    if (long) list.push([`${endpoint}@10m`, long, 1]);
    if (signer && signerCost > 0) list.push([`signer ${signer}`, signer === 'orders' ? this.orders : this.cancels, signerCost]);
    return list;
  }

  /** Admits one request whole (every bucket has room) and takes its tokens, or says how long to wait. */
  admit(endpoint: string, signer: SignerBucket | undefined, signerCost: number, now: number): Admission {
    const list = this.touched(endpoint, signer, signerCost);
    for (const [name, bucket, cost] of list) {
      const wait = bucket.waitMs(cost, now);
      if (wait > 0) return { ok: false, retryAfterMs: wait, bucket: name };
    }
    for (const [, bucket, cost] of list) bucket.take(cost, now);
    return { ok: true };
  }

  /** Applies `Poly-RateLimit-Remaining` / `-Reset` of an answer to the signer bucket it concerns. */
  observeHeaders(signer: SignerBucket | undefined, headers: { get(name: string): string | null }, now: number): void {
    if (!signer) return;
    const remaining = Number(headers.get('poly-ratelimit-remaining') ?? Number.NaN);
    if (!Number.isFinite(remaining)) return;
    const reset = parseReset(headers.get('poly-ratelimit-reset'), now);
    (signer === 'orders' ? this.orders : this.cancels).observe(remaining, reset, now);
  }
}

/** Reset header: epoch ms, epoch seconds, or seconds from now, told apart by magnitude. */
export function parseReset(raw: string | null, now: number): number | undefined {
  if (raw === null || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) return undefined;
  if (n > 1e12) return n;
  if (n > 1e9) return n * 1000;
  return now + n * 1000;
}

/** Retry-After: seconds or an HTTP date; undefined when absent. */
export function parseRetryAfter(raw: string | null, now: number): number | undefined {
  if (raw === null || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (Number.isFinite(n) && n >= 0) return now + n * 1000;
  const d = Date.parse(raw);
  return Number.isFinite(d) ? d : undefined;
}
