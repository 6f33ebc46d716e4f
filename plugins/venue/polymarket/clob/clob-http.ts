/**
 * One CLOB request: auth headers, client-side rate admission, Node's fetch with a timeout, status
 * bookkeeping (429/425/503 → guard), rate headers, and a zod-checked answer. Errors name the
 * endpoint, the HTTP status and the server's error text — never a header, key or body we sent.
 */
import type { Address, Hex } from 'viem';
import type { z } from 'zod';
import type { Clock } from '../../../../core/clock.ts';
import { PolyquoteError, errorMessage, type ErrorClass } from '../../../../core/errors.ts';
import type { Logger } from '../../../../core/logger.ts';
import { l1Headers, l2Headers, type ApiCreds } from './auth.ts';
import type { TradingGuard } from './guard.ts';
import { parseRetryAfter, type RateLimiter, type SignerBucket } from './rate-limit.ts';
import { describeZodError } from './schemas.ts';

/** A CLOB failure with the endpoint and status it came from. */
export class ClobError extends PolyquoteError {
  override name = 'ClobError';
  readonly endpoint: string;
  readonly status: number | undefined;
  /** The server's error text, when it sent one. */
  readonly serverError: string | undefined;
  /** For a request that may have reached the venue (timeout, reset, 5xx): its outcome is unknown. */
  readonly maybeSent: boolean;
  constructor(code: string, endpoint: string, message: string, o: { status?: number; serverError?: string; errorClass?: ErrorClass; maybeSent?: boolean; cause?: unknown } = {}) {
    super(code, `${endpoint}: ${message}`, { errorClass: o.errorClass ?? 'non-retryable', ...(o.cause === undefined ? {} : { cause: o.cause }) });
    this.endpoint = endpoint;
    this.status = o.status;
    this.serverError = o.serverError;
    this.maybeSent = o.maybeSent ?? false;
  }
}

export type AuthLevel = 'none' | 'l1' | 'l2';

export interface ClobRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** The exact JSON text to send (and sign). */
  readonly body?: string;
  readonly auth: AuthLevel;
  /** Per-signer bucket and its cost (number of orders / cancels). */
  readonly signer?: SignerBucket;
  readonly signerCost?: number;
  /** L1 nonce. */
  readonly nonce?: number;
}

export interface RawAnswer {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
  readonly headers: Headers;
}

export interface ClobHttpOptions {
  readonly baseUrl: string;
  readonly clock: Pick<Clock, 'now'>;
  readonly timeoutMs: number;
  readonly privateKey: Hex;
  readonly address: Address;
  readonly chainId: number;
  readonly limiter: RateLimiter;
  readonly guard: TradingGuard;
  readonly logger?: Logger;
}

const CODES: Readonly<Record<number, [string, ErrorClass]>> = {
  400: ['CLOB_BAD_REQUEST', 'non-retryable'],
  401: ['CLOB_AUTH_FAILED', 'non-retryable'],
  403: ['CLOB_FORBIDDEN', 'non-retryable'],
  404: ['CLOB_NOT_FOUND', 'non-retryable'],
  425: ['CLOB_ENGINE_RESTARTING', 'retryable'],
  429: ['CLOB_RATE_LIMITED', 'retryable'],
  503: ['CLOB_UNAVAILABLE', 'retryable'],
};

export class ClobHttp {
  creds: ApiCreds | undefined;
  /** Server time minus ours, ms (from /time) for L1/L2 timestamps. */
  serverOffsetMs = 0;
  private readonly base: string;

  constructor(private readonly o: ClobHttpOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
  }

  endpointKey(req: Pick<ClobRequest, 'method' | 'path'>): string {
    return `${req.method} ${req.path}`;
  }

  /** Sends a request; resolves with any HTTP answer, rejects only on local refusal or transport failure. */
  async send(req: ClobRequest): Promise<RawAnswer> {
    const endpoint = this.endpointKey(req);
    const now = this.o.clock.now();
    if (req.auth === 'l2' && !this.creds) throw new ClobError('AUTH_MISSING', endpoint, 'no API credentials: create or derive an API key first');
    const admission = this.o.limiter.admit(rateKey(req.method, req.path), req.signer, req.signerCost ?? 0, now);
    if (!admission.ok) {
      throw new ClobError('RATE_LIMITED_LOCAL', endpoint, `client-side rate limit (${admission.bucket}): retry in ${admission.retryAfterMs} ms`, { errorClass: 'retryable' });
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const ts = Math.floor((now + this.serverOffsetMs) / 1000);
    if (req.auth === 'l1') Object.assign(headers, await l1Headers(this.o.privateKey, this.o.chainId, ts, req.nonce ?? 0));
    if (req.auth === 'l2' && this.creds) Object.assign(headers, l2Headers(this.o.address, this.creds, ts, req.method, req.path, req.body));
    const qs = req.query ? Object.entries(req.query).filter((e): e is [string, string] => e[1] !== undefined) : [];
    const url = `${this.base}${req.path}${qs.length ? `?${new URLSearchParams(qs).toString()}` : ''}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method: req.method, headers, ...(req.body !== undefined ? { body: req.body } : {}), signal: AbortSignal.timeout(this.o.timeoutMs) });
      text = await res.text();
    } catch (err) {
      throw transportError(endpoint, err, this.o.timeoutMs);
    }
    const after = this.o.clock.now();
    this.o.limiter.observeHeaders(req.signer, res.headers, after);
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.status === 425 || res.status === 429 || res.status === 503) {
      this.o.guard.onStatus(res.status, parseRetryAfter(res.headers.get('retry-after'), after), `${endpoint}: HTTP ${res.status}`);
    }
    if (res.status >= 400) this.o.logger?.warn({ endpoint, status: res.status }, `CLOB ${endpoint} answered HTTP ${res.status}`);
    return { status: res.status, text, json, headers: res.headers };
  }

  /** Sends and parses a 2xx answer with `schema`; any other status is a ClobError. */
  async call<S extends z.ZodType>(req: ClobRequest, schema: S): Promise<z.infer<S>> {
    const answer = await this.send(req);
    const endpoint = this.endpointKey(req);
    if (answer.status < 200 || answer.status >= 300) throw statusError(endpoint, answer);
    return parseAnswer(endpoint, answer, schema);
  }
}

/** Rate-limit key: path parameters folded (/data/order/0x… → /data/order). */
function rateKey(method: string, path: string): string {
  return `${method} ${path.startsWith('/data/order/') ? '/data/order' : path.startsWith('/clob-markets/') ? '/clob-markets' : path}`;
}

export function parseAnswer<S extends z.ZodType>(endpoint: string, answer: RawAnswer, schema: S): z.infer<S> {
  if (answer.json === undefined && answer.text !== '') {
    throw new ClobError('VENUE_ANSWER_INVALID', endpoint, `expected JSON, got ${JSON.stringify(answer.text.slice(0, 80))}`);
  }
  const parsed = schema.safeParse(answer.json);
  if (!parsed.success) throw new ClobError('VENUE_ANSWER_INVALID', endpoint, `malformed answer: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** The server's error text from `{"error": …}` (or the raw text), trimmed. */
export function serverErrorText(answer: RawAnswer): string {
  const e = (answer.json as { error?: unknown; errorMsg?: unknown } | undefined) ?? undefined;
  const v = e && typeof e === 'object' ? (e.error ?? e.errorMsg) : undefined;
  const text = v === undefined ? answer.text : typeof v === 'string' ? v : JSON.stringify(v);
  return text.slice(0, 300);
}

export function statusError(endpoint: string, answer: RawAnswer): ClobError {
  const [code, errorClass] = CODES[answer.status] ?? (answer.status >= 500 ? ['CLOB_SERVER_ERROR', 'retryable'] : ['CLOB_HTTP_ERROR', 'non-retryable']);
  const serverError = serverErrorText(answer);
  return new ClobError(code, endpoint, `HTTP ${answer.status}${serverError ? `: ${serverError}` : ''}`, {
    status: answer.status, serverError, errorClass, maybeSent: answer.status >= 500 && answer.status !== 503,
  });
}

function transportError(endpoint: string, err: unknown, timeoutMs: number): ClobError {
  const name = (err as { name?: string }).name;
  const causeCode = (err as { cause?: { code?: string } }).cause?.code;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ClobError('CLOB_TIMEOUT', endpoint, `no answer within ${timeoutMs} ms`, { errorClass: 'retryable', maybeSent: true });
  }
  if (causeCode === 'ECONNREFUSED' || causeCode === 'ENOTFOUND' || causeCode === 'EAI_AGAIN') {
    return new ClobError('CLOB_UNREACHABLE', endpoint, `cannot connect (${causeCode})`, { errorClass: 'retryable', maybeSent: false });
  }
  return new ClobError('CLOB_TRANSPORT_FAILED', endpoint, `connection failed: ${causeCode ?? errorMessage(err)}`, { errorClass: 'retryable', maybeSent: true });
}
