/**
 * Telegram Bot API `sendMessage`, mapped to a delivery outcome. The bot token sits in the URL path,
 * so no error text here is ever built from the URL or from a fetch error that could quote it: texts
 * name the chat and the answer only, and are scrubbed of the token as a last guard.
 */
import type { DeliveryOutcome } from '../../../ops/alerts/delivery-queue.ts';
import { isAbort, networkReason } from '../../../ops/alerts/network-reason.ts';

export interface TelegramClientOptions {
  readonly apiBaseUrl: string;
  readonly botToken: string;
  readonly timeoutMs: number;
  /** Upper bound on a 429's retry_after we honour (a broken answer must not park a chat for days). */
  readonly maxRetryAfterMs?: number;
}

interface TelegramAnswer {
  ok?: unknown;
  error_code?: unknown;
  description?: unknown;
  parameters?: { retry_after?: unknown; migrate_to_chat_id?: unknown };
}

/** Maps an HTTP status and a Bot API answer to what the queue should do. Pure. */
export function telegramOutcome(status: number, body: TelegramAnswer | undefined, chat: string, maxRetryAfterMs = 3_600_000): DeliveryOutcome {
  const desc = typeof body?.description === 'string' ? body.description.slice(0, 200) : undefined;
  const what = `telegram sendMessage to chat ${chat}: HTTP ${status}${desc ? ` ${desc}` : ''}`;
  if (status >= 200 && status < 300) {
    if (body?.ok === true) return { kind: 'sent' };
    return { kind: 'rejected', error: `${what}: expected {"ok":true}, got ${body === undefined ? 'a non-JSON answer' : JSON.stringify(body).slice(0, 200)}` };
  }
  if (status === 429) {
    const ra = body?.parameters?.retry_after;
    const retryAfterMs = typeof ra === 'number' && Number.isFinite(ra) && ra >= 0 ? Math.min(ra * 1000, maxRetryAfterMs) : undefined;
    return { kind: 'retry', error: what, throttled: true, ...(retryAfterMs !== undefined && { retryAfterMs }) };
  }
  if (status >= 500 || status === 408) return { kind: 'retry', error: what };
  const moved = body?.parameters?.migrate_to_chat_id;
  if (typeof moved === 'number' || typeof moved === 'string') return { kind: 'rejected', error: `${what}: the group became a supergroup, put chat ${String(moved)} in the config` };
  return { kind: 'rejected', error: what };
}

export class TelegramClient {
  constructor(private readonly o: TelegramClientOptions) {}

  /** Sends one message; never rejects, never throws. */
  async sendMessage(chat: string, text: string): Promise<DeliveryOutcome> {
    const url = `${this.o.apiBaseUrl.replace(/\/+$/, '')}/bot${this.o.botToken}/sendMessage`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: chat, text, disable_web_page_preview: true }),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (err) {
      return { kind: 'retry', error: this.scrub(`telegram sendMessage to chat ${chat}: ${networkReason(err, this.o.timeoutMs)}`) };
    }
    let body: TelegramAnswer | undefined;
    try {
      const parsed: unknown = JSON.parse(await res.text());
      body = parsed && typeof parsed === 'object' ? (parsed as TelegramAnswer) : undefined;
    } catch (err) {
      if (res.status >= 200 && res.status < 300 && isAbort(err)) {
        return { kind: 'retry', error: `telegram sendMessage to chat ${chat}: answer cut off after ${this.o.timeoutMs} ms` };
      }
      body = undefined;
    }
    const out = telegramOutcome(res.status, body, chat, this.o.maxRetryAfterMs);
    return out.kind === 'sent' ? out : { ...out, error: this.scrub(out.error) };
  }

  private scrub(text: string): string {
    return this.o.botToken ? text.split(this.o.botToken).join('[REDACTED]') : text;
  }
}
