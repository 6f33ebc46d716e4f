/**
 * Why an HTTP request failed, in words that never quote its URL (a bot token or webhook key may sit
 * in it): the timeout, or the socket-level code (ECONNREFUSED, ECONNRESET …).
 */
import { errorMessage } from '../../core/errors.ts';

/** Whether a fetch failed on its timeout or abort signal. */
export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** "timed out after N ms" or the socket-level cause ("ECONNREFUSED"), never the URL. */
export function networkReason(err: unknown, timeoutMs: number): string {
  if (isAbort(err)) return `timed out after ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return `network error ${cause.code}`;
  return `network error (${err instanceof Error ? err.name : typeof err})${err instanceof TypeError ? '' : `: ${errorMessage(err).slice(0, 100)}`}`;
}
