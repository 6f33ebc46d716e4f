/**
 * The fallback position source: Polymarket's Data API `/positions`. It is the lossy one — sizes come
 * as JSON floats (converted exactly through their shortest decimal string, which is exact for the
 * ≤ 6-decimal values the indexer derives from 6-decimal chain units), the indexer lags, and pages have
 * no snapshot version.
 *
 * Incomplete-answer policy (fail closed): if any page fails (HTTP error, timeout, bad JSON, bad row),
 * the whole fetch rejects and nothing is applied. If pagination stops at `maxPages` while pages are
 * still full, the rows seen are returned with `complete: false` and unseen tokens are omitted, never
 * zeroed. Only a fully paginated answer (a short last page) reports absent tokens as 0.
 */
import { z } from 'zod';
import { parseNonNegativeMicros, type Micros } from '../../../core/amounts.ts';
import { PolyquoteError, SourceError, errorMessage } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import type { BalanceReport, PositionSource } from '../../../core/sources/position-source.ts';
import { abortError, elapsedMs, validateTokenIds } from '../support.ts';

const rowSchema = z.looseObject({
  asset: z.string().regex(/^\d{1,78}$/, 'expected a uint256 decimal string'),
  size: z.union([z.number(), z.string()]),
  proxyWallet: z.string().optional(),
});

export interface RestSourceOptions {
  readonly name?: string;
  /** Data API base URL, e.g. https://data-api.polymarket.com. */
  readonly url: string;
  readonly funder: `0x${string}`;
  readonly pageSize: number;
  readonly maxPages: number;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly logger?: Logger;
}

/** Reads the funder's positions from the Data API, paginating until a short page. */
export class RestSource implements PositionSource {
  readonly name: string;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  private readonly opts: RestSourceOptions;

  constructor(opts: RestSourceOptions) {
    this.opts = opts;
    this.name = opts.name ?? 'rest';
    this.pollIntervalMs = opts.pollIntervalMs;
    this.timeoutMs = opts.timeoutMs;
  }

  /** Fetches every page; see the file comment for what an incomplete answer means. */
  async fetchBalances(tokenIds: readonly string[], signal?: AbortSignal): Promise<BalanceReport> {
    const t0 = performance.now();
    const ids = validateTokenIds(this.name, tokenIds);
    const wanted = new Set(ids);
    const seen = new Map<string, Micros>();
    let pages = 0;
    let complete = false;
    for (let page = 0; page < this.opts.maxPages; page++) {
      const rows = await this.fetchPage(page, signal);
      pages++;
      rows.forEach((row, i) => this.absorbRow(seen, row, `page ${page} (offset ${page * this.opts.pageSize}) row ${i}`));
      if (rows.length < this.opts.pageSize) {
        complete = true;
        break;
      }
    }
    const balances = new Map<string, Micros>();
    for (const id of ids) {
      const v = seen.get(id);
      if (v !== undefined) balances.set(id, v);
      else if (complete) balances.set(id, 0n);
    }
    if (!complete) {
      this.opts.logger?.warn(
        { pages, pageSize: this.opts.pageSize, seen: balances.size, requested: wanted.size },
        `${this.name}: stopped after maxPages=${this.opts.maxPages} full pages; answer is incomplete, unseen tokens are left untouched`,
      );
    }
    return {
      source: 'rest',
      sourceName: this.name,
      balances,
      complete,
      degraded: false,
      roundTrips: pages,
      latencyMs: elapsedMs(t0),
    };
  }

  async dispose(): Promise<void> {}

  /** The page's URL, built with the URL API: `/positions` joins the path, the base's own query (an API key) is kept. */
  private pageUrl(page: number): string {
    const url = new URL(this.opts.url);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/positions`;
    url.searchParams.set('user', this.opts.funder);
    url.searchParams.set('sizeThreshold', '0');
    url.searchParams.set('limit', String(this.opts.pageSize));
    url.searchParams.set('offset', String(page * this.opts.pageSize));
    return url.toString();
  }

  private async fetchPage(page: number, signal: AbortSignal | undefined): Promise<unknown[]> {
    const where = `page ${page} (offset ${page * this.opts.pageSize})`;
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    let res: Response;
    let text: string;
    let url = '';
    try {
      url = this.pageUrl(page);
      res = await fetch(url, { signal: combined, headers: { accept: 'application/json' } });
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw abortError(this.name, signal);
      if (deadline.aborted) throw new SourceError(this.name, 'REST_TIMEOUT', `no answer for ${where} within ${this.timeoutMs} ms`, { cause: err });
      // The URL may carry a key (path or query): it never enters the message.
      const why = withoutUrl(errorMessage(err), url, this.opts.url);
      throw new SourceError(this.name, 'REST_NETWORK', `request for ${where} failed: ${why}`);
    }
    if (!res.ok) {
      const retryable = res.status === 429 || res.status >= 500;
      throw new SourceError(this.name, 'REST_HTTP', `expected HTTP 200 for ${where}, got ${res.status}${retryable ? ' (will retry)' : ''}`, {
        errorClass: retryable ? 'retryable' : 'non-retryable',
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw malformed(this.name, `expected JSON for ${where}, got ${JSON.stringify(text.slice(0, 60))}`, err);
    }
    if (!Array.isArray(body)) {
      throw malformed(this.name, `expected a JSON array of positions for ${where}, got ${body === null ? 'null' : typeof body}`);
    }
    if (body.length > this.opts.pageSize) {
      throw malformed(this.name, `expected at most ${this.opts.pageSize} rows for ${where}, got ${body.length}`);
    }
    return body;
  }

  private absorbRow(seen: Map<string, Micros>, raw: unknown, where: string): void {
    const parsed = rowSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw malformed(this.name, `bad position at ${where}: ${issue?.path.join('.') || '(row)'}: ${issue?.message ?? 'invalid'}`);
    }
    const row = parsed.data;
    if (row.proxyWallet !== undefined && row.proxyWallet.toLowerCase() !== this.opts.funder.toLowerCase()) {
      throw malformed(this.name, `expected proxyWallet ${this.opts.funder} (the funder), got ${row.proxyWallet} at ${where}`);
    }
    let size: Micros;
    try {
      size = parseNonNegativeMicros(row.size, `${this.name} ${where}.size`);
    } catch (err) {
      throw malformed(this.name, err instanceof PolyquoteError ? err.message : `bad size at ${where}`, err);
    }
    const id = BigInt(row.asset).toString();
    const prev = seen.get(id);
    if (prev !== undefined && prev !== size) {
      throw new SourceError(this.name, 'REST_INCONSISTENT', `token ${id} appears twice with different sizes (${prev} and ${size} micros) at ${where}; pages shifted`);
    }
    seen.set(id, size);
  }
}

function malformed(source: string, message: string, cause?: unknown): SourceError {
  return new SourceError(source, 'REST_MALFORMED', message, { cause, errorClass: 'non-retryable' });
}

/** An error text with any form of the request URL (or its configured base) replaced. */
function withoutUrl(text: string, ...urls: string[]): string {
  let out = text;
  for (const u of urls) if (u) out = out.split(u).join('<url>');
  return out.replace(/https?:\/\/\S+/g, '<url>');
}
