/**
 * Small helpers shared by the position-source plugins: config field schemas, token id validation,
 * abort handling and URL redaction (RPC URLs often carry an API key in their path or query).
 */
import { getAddress, isAddress } from 'viem';
import { z } from 'zod';
import { seconds } from '../../core/config/units.ts';
import { SourceError } from '../../core/errors.ts';

const UINT256_MAX = 2n ** 256n - 1n;

/** A 0x-prefixed 20-byte address; mixed case must be a valid EIP-55 checksum. Normalized to checksum case. */
export const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte hex address')
  .refine((s) => isAddress(s, { strict: s !== s.toLowerCase() }), 'expected a valid EIP-55 checksum (or an all-lowercase address)')
  .transform((s) => getAddress(s.toLowerCase()));

/** Poll intervals and timeouts: whole milliseconds from 1 ms up to what a Node timer can wait. */
export const secondsSchema = seconds(0.001);

/** Checks every id is a uint256 decimal string; returns them deduplicated in first-seen order. */
export function validateTokenIds(source: string, tokenIds: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const [i, id] of tokenIds.entries()) {
    if (typeof id !== 'string' || !/^\d{1,78}$/.test(id) || BigInt(id) > UINT256_MAX) {
      throw new SourceError(source, 'TOKEN_ID_INVALID', `expected a uint256 decimal string, got ${JSON.stringify(id)} at tokenIds[${i}]`, {
        errorClass: 'non-retryable',
      });
    }
    seen.add(BigInt(id).toString());
  }
  return [...seen];
}

/** The error a source rejects with when `signal` aborts: the signal's reason if it is an Error. */
export function abortError(source: string, signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof SourceError) return r;
  return new SourceError(source, 'SOURCE_ABORTED', `fetch aborted${r instanceof Error ? `: ${r.message}` : ''}`);
}

/** Settles like `p`, or rejects as soon as `signal` aborts (the underlying request is left to its own timeout). */
export function withAbort<T>(source: string, p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(abortError(source, signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(source, signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** "https://polygon.example/v2/KEY?x=1" → "https://polygon.example/…": safe to log. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const hasMore = (u.pathname && u.pathname !== '/') || u.search || u.username;
    return `${u.protocol}//${u.host}${hasMore ? '/…' : ''}`;
  } catch {
    return '(unparseable url)';
  }
}

/** Replaces every occurrence of `url` (and its variants) in `text` with its redacted form. */
export function scrubUrl(text: string, url: string): string {
  const safe = redactUrl(url);
  let out = text.split(url).join(safe);
  const trimmed = url.replace(/\/+$/, '');
  if (trimmed !== url) out = out.split(trimmed).join(safe);
  return out;
}

/** Milliseconds since `t0` (a performance.now() reading), rounded to 0.1 ms. */
export function elapsedMs(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}
