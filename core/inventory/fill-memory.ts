/**
 * The dedup memory of fills: which keys were seen (oldest first, within the dedup window and a count
 * bound), and which keys each trade id has, so a report with or without its order id is matched to
 * the same fill (fill-key.ts has the key rules). Pending fills' keys are kept while they are pending.
 */
import type { FillReported, FillStatus } from '../events.ts';
import { SynthRanks, tradeKey } from './fill-key.ts';

/** Most fill keys remembered for dedup (settled ones; pending fills are always known). */
export const MAX_SEEN_KEYS = 200_000;

/** [key, at, status, tokenId, tradeId, side] (the last ones absent for id-less fills and in older checkpoints). */
export type SeenRow = [string, number, FillStatus, string?, string?, string?];

interface SeenKey {
  at: number;
  status: FillStatus;
  tokenId: string;
}

/** What a trade-keyed fill is, to tell whether a report with or without order id is the same one. */
interface TradeFill {
  tradeId: string;
  tokenId: string;
  side: string;
}

export class FillMemory {
  private readonly seen = new Map<string, SeenKey>();
  /** trade id → the keys (seen or pending) of its fills. */
  private readonly byTrade = new Map<string, Set<string>>();
  /** key → its trade fill, for the keys in `byTrade`. */
  private readonly tradeFills = new Map<string, TradeFill>();
  private readonly synthRanks = new SynthRanks();

  /** `isPending(tokenId, key)`: whether a key is still a pending fill (then it is never forgotten). */
  constructor(private readonly windowMs: number, private readonly isPending: (tokenId: string, key: string) => boolean) {}

  /** Keys remembered, and keys indexed by trade id (both bounded by the window, the count bound and pending). */
  get size(): { keys: number; tradeKeys: number; tradeIds: number } {
    return { keys: this.seen.size, tradeKeys: this.tradeFills.size, tradeIds: this.byTrade.size };
  }

  /** The last status of a fill by its key (undefined: not seen within the window). */
  statusOf(key: string): FillStatus | undefined {
    return this.seen.get(key)?.status;
  }

  has(key: string): boolean {
    return this.seen.has(key);
  }

  /** The key of a fill: the one its trade's earlier report got when it matches, else a new one. */
  keyOf(fill: FillReported): { key: string; synthesized: boolean; ambiguous: boolean } {
    if (!fill.tradeId) return { key: this.synthRanks.key(fill), synthesized: true, ambiguous: false };
    const exact = tradeKey(fill.tradeId, fill.orderId);
    const known = this.byTrade.get(fill.tradeId);
    if (!known || known.has(exact)) return { key: exact, synthesized: false, ambiguous: false };
    // The same trade on the same token and side, reported before with / without its order id.
    const same = [...known].filter((k) => {
      const t = this.tradeFills.get(k);
      return t !== undefined && t.tokenId === fill.tokenId && t.side === fill.side;
    });
    if (fill.orderId) {
      const bare = tradeKey(fill.tradeId, undefined);
      return { key: same.includes(bare) ? bare : exact, synthesized: false, ambiguous: false };
    }
    if (same.length <= 1) return { key: same[0] ?? exact, synthesized: false, ambiguous: false };
    return { key: exact, synthesized: false, ambiguous: true };
  }

  mark(key: string, status: FillStatus, fill: FillReported, at: number): void {
    this.seen.delete(key);
    this.seen.set(key, { at, status, tokenId: fill.tokenId });
    if (fill.tradeId && !this.tradeFills.has(key)) this.index(key, { tradeId: fill.tradeId, tokenId: fill.tokenId, side: fill.side });
  }

  /** Rebuilds the memory from earlier fills (oldest first), keyed exactly as they were live. */
  remember(fills: Iterable<FillReported>): void {
    for (const f of fills) {
      const { key, ambiguous } = this.keyOf(f);
      if (!ambiguous) this.mark(key, f.status, f, f.at);
    }
    // Oldest first again (pruning relies on it): the pending fills' keys came from the checkpoint first.
    const all = [...this.seen].sort((a, b) => a[1].at - b[1].at);
    this.seen.clear();
    for (const [k, v] of all) this.seen.set(k, v);
  }

  /** Forgets settled keys older than the window, and the oldest beyond the count bound. */
  prune(now: number): void {
    const cutoff = now - this.windowMs;
    let over = this.seen.size - MAX_SEEN_KEYS;
    for (const [k, v] of this.seen) {
      if (v.at > cutoff && over <= 0) break;
      over--;
      this.seen.delete(k);
      // A fill still pending stays known (moved to the young end) until it leaves pending.
      if (this.isPending(v.tokenId, k)) {
        this.seen.set(k, { ...v, at: now });
        continue;
      }
      const t = this.tradeFills.get(k);
      if (t !== undefined) {
        this.tradeFills.delete(k);
        const keys = this.byTrade.get(t.tradeId);
        keys?.delete(k);
        if (keys?.size === 0) this.byTrade.delete(t.tradeId);
      }
    }
  }

  /** The keys of pending fills only: the settled ones are rebuilt from the ledger (`remember`). */
  export(): SeenRow[] {
    return [...this.seen].filter(([k, v]) => this.isPending(v.tokenId, k)).map(([k, v]) => {
      const t = this.tradeFills.get(k);
      return (t ? [k, v.at, v.status, v.tokenId, t.tradeId, t.side] : [k, v.at, v.status, v.tokenId]) as SeenRow;
    });
  }

  import(rows: readonly SeenRow[]): void {
    this.seen.clear();
    this.byTrade.clear();
    this.tradeFills.clear();
    for (const [k, at, status, tokenId, tradeId, side] of rows) {
      this.seen.set(k, { at, status, tokenId: tokenId ?? '' });
      if (tradeId && tokenId && side) this.index(k, { tradeId, tokenId, side });
    }
  }

  private index(key: string, t: TradeFill): void {
    let keys = this.byTrade.get(t.tradeId);
    if (!keys) this.byTrade.set(t.tradeId, (keys = new Set()));
    keys.add(key);
    this.tradeFills.set(key, t);
  }
}
