/**
 * L2 request authentication, written from the protocol description (not from any client's code):
 * HMAC-SHA256 over `timestamp + METHOD + path + body`, keyed by the base64(url) secret, answered as
 * url-safe base64 with its `=` padding kept.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The expected POLY_SIGNATURE of a request. */
export function l2Signature(secret: string, timestamp: string, method: string, path: string, body: string | undefined): string {
  const key = Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  const mac = createHmac('sha256', key).update(`${timestamp}${method}${path}${body ?? ''}`).digest('base64');
  return mac.replace(/\+/g, '-').replace(/\//g, '_');
}

/** Constant-time comparison of a presented signature with the expected one. */
export function signatureMatches(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
