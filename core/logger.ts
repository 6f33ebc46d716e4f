/**
 * Structured logging (pino). Secrets are redacted by path, and by value for anything registered
 * through `registerSecret`, so a key pasted into an error message still never reaches a log line.
 */
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

export type Logger = PinoLogger;

const secretValues = new Set<string>();

/** Marks a value as secret: it is replaced by [REDACTED] wherever it appears in a log line. */
export function registerSecret(value: string | undefined): void {
  // Whatever its length: a short secret is still a secret.
  if (value) {
    secretValues.add(value);
    ordered = [...secretValues].sort((a, b) => b.length - a.length);
  }
}

/** Longest first, so a secret containing another is replaced whole. */
let ordered: string[] = [];

/** Replaces every registered secret inside a string. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const s of ordered) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  return out;
}

/** The seq of the inbound event being applied right now (engine), stamped on every line written meanwhile. */
let currentSeq: number | undefined;

/**
 * Runs `fn` with `seq` as the log correlation id: every line any logger from `createLogger` writes
 * during it carries `seq` (unless the line sets its own). Synchronous only; nests (restores the outer).
 */
export function withLogSeq<T>(seq: number, fn: () => T): T {
  const outer = currentSeq;
  currentSeq = seq;
  try {
    return fn();
  } finally {
    currentSeq = outer;
  }
}

/** withLogSeq for a method and its two arguments: no closure made per call (the engine's per-event path). */
export function withLogSeqCall<S, A, B>(seq: number, self: S, fn: (this: S, a: A, b: B) => void, a: A, b: B): void {
  const outer = currentSeq;
  currentSeq = seq;
  try {
    fn.call(self, a, b);
  } finally {
    currentSeq = outer;
  }
}

const REDACT_PATHS = [
  '*.privateKey', '*.secret', '*.passphrase', '*.apiSecret', '*.botToken', '*.apiKey',
  'privateKey', 'secret', 'passphrase', 'apiSecret', 'botToken',
];

export interface LoggerOptions {
  level?: string;
  destination?: DestinationStream;
  pretty?: boolean;
}

/** Creates the root logger; tests pass a destination to capture lines. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? process.env.POLYQUOTE_LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      base: undefined,
      mixin: () => (currentSeq === undefined ? {} : { seq: currentSeq }),
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        streamWrite: (s) => (secretValues.size ? scrubSecrets(s) : s),
      },
    },
    opts.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that keeps its lines in memory, for tests that assert on what was logged. */
export function createMemoryLogger(level = 'debug'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const destination = { write: (s: string) => void raw.push(s) } as unknown as DestinationStream;
  const logger = createLogger({ level, destination });
  return { logger, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
