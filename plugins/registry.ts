/**
 * Every plugin polyquote knows, listed explicitly: no discovery by file name, no registration by
 * import side effect. config.yaml picks them by category and `kind`.
 */
import type { PluginLookup } from '../core/config/load.ts';
import type { PluginCategory, PluginDefinition } from '../core/plugin.ts';
import { logAlertSink } from './alert-sink/log/index.ts';
import { polymarketVenue } from './venue/polymarket/index.ts';
import { telegramAlertSink } from './alert-sink/telegram/index.ts';
import { webhookAlertSink } from './alert-sink/webhook/index.ts';
import { memoryLedgerPlugin } from './ledger/memory/index.ts';
import { sqliteLedgerPlugin } from './ledger/sqlite/index.ts';
import { chainEventsPositionSource } from './position-source/chain-events/index.ts';
import { chainPositionSource } from './position-source/chain/index.ts';
import { fallbackPositionSource } from './position-source/fallback/index.ts';
import { restPositionSource } from './position-source/rest/index.ts';
import { oldestFirstReconciler } from './reconciler/oldest-first/index.ts';
import { conservativeLimits } from './risk/conservative-limits/index.ts';
import { degradePolicy } from './risk/degrade/index.ts';
import { feedGapHaltPolicy } from './risk/feed-gap-halt/index.ts';
import { hardHaltPolicy } from './risk/hard-halt/index.ts';
import { activeQuotingStrategy } from '../strategies/active-quoting/index.ts';
import { inventoryUnwindStrategy } from '../strategies/inventory-unwind/index.ts';

export const PLUGINS: readonly PluginDefinition[] = [
  oldestFirstReconciler,
  conservativeLimits,
  degradePolicy,
  hardHaltPolicy,
  feedGapHaltPolicy,
  chainPositionSource,
  chainEventsPositionSource,
  restPositionSource,
  fallbackPositionSource,
  sqliteLedgerPlugin,
  memoryLedgerPlugin,
  logAlertSink,
  polymarketVenue,
  telegramAlertSink,
  webhookAlertSink,
  activeQuotingStrategy,
  inventoryUnwindStrategy,
];

/** Looks plugins up by category and kind; duplicate registrations are a programming error. */
export class PluginRegistry implements PluginLookup {
  private readonly byKey = new Map<string, PluginDefinition>();

  constructor(defs: readonly PluginDefinition[] = PLUGINS) {
    for (const d of defs) {
      const key = `${d.category}/${d.kind}`;
      if (this.byKey.has(key)) throw new Error(`plugin ${key} registered twice`);
      this.byKey.set(key, d);
    }
  }

  find(category: PluginCategory, kind: string): PluginDefinition | undefined {
    return this.byKey.get(`${category}/${kind}`);
  }

  kinds(category: PluginCategory): string[] {
    return [...this.byKey.values()].filter((d) => d.category === category).map((d) => d.kind);
  }

  all(): PluginDefinition[] {
    return [...this.byKey.values()];
  }
}
