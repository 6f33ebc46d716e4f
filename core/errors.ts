/**
 * One error hierarchy with stable codes. Messages read "expected X, got Y at Z"; `retryable` tells a
 * caller whether trying again can help (a timeout) or not (a malformed answer, bad config).
 */
export type ErrorClass = 'retryable' | 'non-retryable' | 'fatal';

export class PolyquoteError extends Error {
  override name = 'PolyquoteError';
  readonly code: string;
  readonly errorClass: ErrorClass;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; errorClass?: ErrorClass; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.errorClass = options.errorClass ?? 'non-retryable';
    this.details = options.details;
  }

  get retryable(): boolean {
    return this.errorClass === 'retryable';
  }
}

/** Bad configuration: the process refuses to start. */
export class ConfigError extends PolyquoteError {
  override name = 'ConfigError';
  readonly issues: readonly { path: string; message: string }[];
  constructor(issues: readonly { path: string; message: string }[], file?: string) {
    const header = `invalid config${file ? ` in ${file}` : ''}`;
    super('CONFIG_INVALID', `${header}:\n${issues.map((i) => `  - at ${i.path || '(root)'}: ${i.message}`).join('\n')}`, {
      errorClass: 'fatal',
    });
    this.issues = issues;
  }
}

/** A bad command line (exit 2): a missing or malformed flag, a path that cannot be used. */
export class UsageError extends PolyquoteError {
  override name = 'UsageError';
  constructor(message: string) {
    super('USAGE', message, { errorClass: 'fatal' });
  }
}

/** A line of a tape that cannot be applied. */
export class TapeError extends PolyquoteError {
  override name = 'TapeError';
  readonly line: number;
  constructor(line: number, message: string, cause?: unknown) {
    super('TAPE_LINE_INVALID', `tape line ${line}: ${message}`, { cause, errorClass: 'non-retryable' });
    this.line = line;
  }
}

/** Inbound feed data that cannot be understood; the engine logs it and keeps running. */
export class FeedError extends PolyquoteError {
  override name = 'FeedError';
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('FEED_INVALID', message, { ...options, errorClass: 'non-retryable' });
  }
}

/** A position source could not produce a snapshot. */
export class SourceError extends PolyquoteError {
  override name = 'SourceError';
  readonly source: string;
  constructor(source: string, code: string, message: string, options: { cause?: unknown; errorClass?: ErrorClass } = {}) {
    super(code, `${source}: ${message}`, { errorClass: 'retryable', ...options });
    this.source = source;
  }
}

/** The ledger could not be opened or written. */
export class LedgerError extends PolyquoteError {
  override name = 'LedgerError';
  constructor(code: string, message: string, options: { cause?: unknown; errorClass?: ErrorClass; details?: Record<string, unknown> } = {}) {
    super(code, message, { errorClass: 'fatal', ...options });
  }
}

/** Short text of any thrown value, for logs and health states. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
