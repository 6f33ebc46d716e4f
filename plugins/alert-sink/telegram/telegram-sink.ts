/**
 * The Telegram alert sink: one delivery queue per chat (dedup, grouping, per-chat rate limit, 429
 * and retries), all chats behind one gate for the bot's overall limit. `send` returns at once.
 */
import type { Clock } from '../../../core/clock.ts';
import type { AlertRaised, AlertSeverity } from '../../../core/events.ts';
import type { Logger } from '../../../core/logger.ts';
import { atLeast, type DetailedAlert, type ReportingAlertSink, type SinkDeliveryHealth } from '../../../ops/alerts/alert-types.ts';
import { DeliveryQueue, RateGate } from '../../../ops/alerts/delivery-queue.ts';
import { mergeHealth } from '../../../ops/alerts/health.ts';
import { packAlerts, TELEGRAM_MAX_CHARS } from '../../../ops/alerts/format.ts';
import { TelegramClient } from './telegram-client.ts';

export interface TelegramSinkOptions {
  readonly apiBaseUrl: string;
  readonly botToken: string;
  readonly chats: readonly string[];
  readonly minSeverity: AlertSeverity;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly timeoutMs: number;
  readonly dedupWindowMs: number;
  readonly groupDelayMs: number;
  /** Spacing of messages to one private chat (Telegram: ~1/s). */
  readonly chatIntervalMs: number;
  /** Spacing of messages to a group or channel (ids starting with "-" or "@"; Telegram: 20/min). */
  readonly groupChatIntervalMs: number;
  /** Spacing of messages over all chats (Telegram: 30/s). */
  readonly globalIntervalMs: number;
  readonly maxQueue: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly failAfterAttempts: number;
  readonly maxChars?: number;
  /** On dispose, keep sending what is queued for up to this long (real time); 0 drops it at once. */
  readonly flushOnDisposeMs?: number;
}

/** Whether a chat id names a group, supergroup or channel (negative ids, @usernames). */
export function isGroupChat(chat: string): boolean {
  return chat.startsWith('-') || chat.startsWith('@');
}

export class TelegramSink implements ReportingAlertSink {
  readonly kind = 'telegram';
  private readonly queues = new Map<string, DeliveryQueue<string>>();
  private readonly listeners = new Set<(h: SinkDeliveryHealth) => void>();
  private lastState: 'ok' | 'failing' = 'ok';

  constructor(private readonly o: TelegramSinkOptions) {
    const client = new TelegramClient({ apiBaseUrl: o.apiBaseUrl, botToken: o.botToken, timeoutMs: o.timeoutMs });
    const gate = new RateGate(o.globalIntervalMs);
    const maxChars = o.maxChars ?? TELEGRAM_MAX_CHARS;
    for (const chat of new Set(o.chats)) {
      this.queues.set(chat, new DeliveryQueue<string>({
        name: `telegram chat ${chat}`,
        clock: o.clock,
        ...(o.logger && { logger: o.logger.child({ chat }) }),
        pack: (items) => {
          const { count, text } = packAlerts(items, maxChars);
          return { count, payload: text };
        },
        deliver: (text) => client.sendMessage(chat, text),
        maxQueue: o.maxQueue,
        minIntervalMs: isGroupChat(chat) ? o.groupChatIntervalMs : o.chatIntervalMs,
        dedupWindowMs: o.dedupWindowMs,
        groupDelayMs: o.groupDelayMs,
        backoff: { initialMs: o.initialBackoffMs, maxMs: o.maxBackoffMs, factor: 2 },
        failAfterAttempts: o.failAfterAttempts,
        gate,
        onHealthChange: () => this.healthChanged(),
      }));
    }
  }

  send(alert: AlertRaised): void {
    if (!atLeast(alert.severity, this.o.minSeverity)) return;
    for (const q of this.queues.values()) q.push(alert as DetailedAlert);
  }

  /** Merged over chats: failing if any chat is failing. */
  health(): SinkDeliveryHealth {
    return mergeHealth([...this.queues.values()].map((q) => q.health()));
  }

  /** Health per chat id. */
  chatHealth(): Record<string, SinkDeliveryHealth> {
    return Object.fromEntries([...this.queues].map(([chat, q]) => [chat, q.health()]));
  }

  onHealthChange(fn: (h: SinkDeliveryHealth) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  async dispose(): Promise<void> {
    const wait = this.o.flushOnDisposeMs ?? 0;
    await Promise.all([...this.queues.values()].map((q) => (wait > 0 ? q.drain(wait) : q.close())));
    this.listeners.clear();
  }

  private healthChanged(): void {
    const h = this.health();
    if (h.state === this.lastState) return;
    this.lastState = h.state;
    for (const fn of this.listeners) fn(h);
  }
}
