/**
 * InventoryManager: the stateful shell around TrackedPosition and the reconciler. Costs per event:
 * a fill is O(1), a snapshot O(pending fills of the tokens it carries), an age-out O(pending of that
 * token); nothing scans all tokens or all history.
 */
import { formatMicros, type Micros } from '../amounts.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { BalanceSnapshotReceived, FillReported, FillStatus } from '../events.ts';
import type { Logger } from '../logger.ts';
import { inject, injectable } from 'tsyringe';
import { TOKENS } from '../tokens.ts';
import { SynthRanks, tradeKey } from './fill-key.ts';
import { agePending, type ReconcileResult } from './reconcile.ts';
import type { Reconciler } from './reconciler.ts';
import { TrackedPosition, type PendingFill } from './tracked-position.ts';

export type FillAction = 'added' | 'status-updated' | 'removed-failed' | 'duplicate' | 'ignored-failed';

export interface FillApplied {
  readonly action: FillAction;
  readonly key: string;
  readonly tokenId: string;
  /** The pending fill affected (added, updated or removed). */
  readonly fill: PendingFill | undefined;
}

export interface SnapshotApplied {
  readonly tokenId: string;
  readonly applied: boolean;
  readonly forced: boolean;
  readonly firstSnapshot: boolean;
  readonly oldConfirmed: Micros;
  readonly oldEffective: Micros;
  readonly result: ReconcileResult | undefined;
  /** Keys that left pending because of this snapshot (absorbed or cleared by a force reconcile). */
  readonly settledKeys: readonly string[];
}

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

export interface InventoryHooks {
  /** Called whenever a token's effective size changed for a reason other than a fill. */
  onAgedOut?(tokenId: string, aged: readonly PendingFill[], netDelta: Micros): void;
}

/** Most fill keys remembered for dedup (settled ones; pending fills are always known). */
export const MAX_SEEN_KEYS = 200_000;

@injectable()
export class InventoryManager {
  private readonly positions = new Map<string, TrackedPosition>();
  /** Keys of every fill seen within the dedup window, oldest first. */
  private readonly seen = new Map<string, SeenKey>();
  /** trade id → the keys (in `seen` or pending) of its fills, to match reports with and without order id. */
  private readonly byTrade = new Map<string, Set<string>>();
  private readonly synthRanks = new SynthRanks();
  private readonly ageTimers = new Map<string, { at: number; handle: TimerHandle }>();
  private readonly discrepancies = new Map<string, number>();
  hooks: InventoryHooks = {};
  /** What happened to every fill report, for reports and for proving nothing was counted twice. */
  readonly counters: Record<FillAction, number> = { added: 0, 'status-updated': 0, 'removed-failed': 0, duplicate: 0, 'ignored-failed': 0 };

  constructor(
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Reconciler) private readonly reconciler: Reconciler,
    @inject(TOKENS.DedupWindowMs) private readonly dedupWindowMs: number,
  ) {}

  /** The tracked position of a token (created empty on first use). */
  position(tokenId: string): TrackedPosition {
    let p = this.positions.get(tokenId);
    if (!p) {
      p = new TrackedPosition(tokenId);
      this.positions.set(tokenId, p);
    }
    return p;
  }

  has(tokenId: string): boolean {
    return this.positions.has(tokenId);
  }

  tokenIds(): string[] {
    return [...this.positions.keys()];
  }

  /** The last status of a fill seen within the dedup window, by its dedup key (undefined: never seen). */
  seenStatus(key: string): FillStatus | undefined {
    return this.seen.get(key)?.status;
  }

  discrepancyCount(tokenId: string): number {
    return this.discrepancies.get(tokenId) ?? 0;
  }

  /** A user-feed fill: becomes (or updates) a pending fill; never touches confirmed. */
  applyFill(fill: FillReported, seq: number): FillApplied {
    const r = this.classifyFill(fill, seq);
    this.counters[r.action]++;
    return r;
  }

  /** The key of a fill: the one its trade's earlier report got when it matches, else a new one. */
  private keyOf(fill: FillReported): { key: string; synthesized: boolean; ambiguous: boolean } {
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

  private classifyFill(fill: FillReported, _seq: number): FillApplied {
    this.pruneSeen();
    const { key, synthesized, ambiguous } = this.keyOf(fill);
    const pos = this.position(fill.tokenId);
    const existing = pos.pending.get(key);
    const log = { tokenId: fill.tokenId, key, tradeId: fill.tradeId, orderId: fill.orderId, status: fill.status };
    if (ambiguous) {
      this.logger.warn(log, 'fill without order id for a trade that filled several of our orders; not counted');
      return { action: 'duplicate', key, tokenId: fill.tokenId, fill: undefined };
    }

    if (existing) {
      if (fill.status === 'FAILED') {
        pos.remove(key);
        this.markSeen(key, 'FAILED', fill);
        this.logger.warn({ ...log, size: formatMicros(existing.size), side: existing.side }, 'pending fill removed: trade FAILED');
        return { action: 'removed-failed', key, tokenId: fill.tokenId, fill: existing };
      }
      if (existing.size !== fill.size && existing.size === existing.originalSize && fill.size !== existing.originalSize) {
        this.logger.warn({ ...log, was: formatMicros(existing.originalSize), now: formatMicros(fill.size) }, 'fill re-reported with a different size; keeping the first');
      }
      const updated: PendingFill = { ...existing, status: fill.status };
      pos.put(updated);
      this.markSeen(key, fill.status, fill);
      this.logger.debug(log, 'pending fill status updated');
      return { action: 'status-updated', key, tokenId: fill.tokenId, fill: updated };
    }
    if (this.seen.has(key)) {
      this.logger.debug(log, 'fill already counted; duplicate ignored');
      return { action: 'duplicate', key, tokenId: fill.tokenId, fill: undefined };
    }
    this.markSeen(key, fill.status, fill);
    if (fill.status === 'FAILED') {
      this.logger.warn(log, 'fill reported FAILED before any pending fill; nothing to remove');
      return { action: 'ignored-failed', key, tokenId: fill.tokenId, fill: undefined };
    }
    const added: PendingFill = {
      key, tradeId: fill.tradeId, orderId: fill.orderId, side: fill.side, size: fill.size, originalSize: fill.size,
      price: fill.price, firstSeenAt: fill.at, status: fill.status,
    };
    pos.put(added);
    this.scheduleAgeOut(fill.tokenId, fill.at + this.reconciler.pendingFillTtlMs);
    this.logger.info({ ...log, side: fill.side, size: formatMicros(fill.size), price: formatMicros(fill.price), synthesized }, 'pending fill added');
    return { action: 'added', key, tokenId: fill.tokenId, fill: added };
  }

  /**
   * An authoritative snapshot. `force` (after a reconnect or gap) trusts it outright and clears
   * pending fills, logging the discrepancy first. A snapshot from an older block than the last
   * applied one is ignored for that token.
   */
  applySnapshot(snap: BalanceSnapshotReceived, force: boolean): SnapshotApplied[] {
    const out: SnapshotApplied[] = [];
    for (const [tokenId, balance] of snap.balances) {
      const pos = this.position(tokenId);
      const oldConfirmed = pos.confirmed;
      const oldEffective = pos.effective;
      const firstSnapshot = pos.confirmedAt === undefined;
      if (snap.block !== undefined && pos.confirmedBlock !== undefined && snap.block < pos.confirmedBlock) {
        this.logger.warn({ tokenId, block: snap.block.toString(), lastBlock: pos.confirmedBlock.toString(), source: snap.source }, 'snapshot from an older block ignored');
        out.push({ tokenId, applied: false, forced: force, firstSnapshot, oldConfirmed, oldEffective, result: undefined, settledKeys: [] });
        continue;
      }
      pos.confirmedAt = snap.at;
      if (snap.block !== undefined) pos.confirmedBlock = snap.block;
      if (force) {
        const cleared = pos.clearPending();
        const gap = oldEffective - balance;
        pos.confirmed = balance;
        const level = gap === 0n ? 'info' : 'warn';
        this.logger[level]({ tokenId, effective: formatMicros(oldEffective), snapshot: formatMicros(balance), discrepancy: formatMicros(gap), clearedKeys: cleared.map((f) => f.key) }, 'force reconcile: snapshot trusted, pending cleared');
        if (gap !== 0n) this.discrepancies.set(tokenId, this.discrepancyCount(tokenId) + 1);
        out.push({ tokenId, applied: true, forced: true, firstSnapshot, oldConfirmed, oldEffective, result: undefined, settledKeys: cleared.map((f) => f.key) });
        continue;
      }
      if (firstSnapshot) {
        pos.confirmed = balance;
        this.logger.info({ tokenId, confirmed: formatMicros(balance), pendingKeys: [...pos.pending.keys()] }, 'first snapshot: baseline set');
        out.push({ tokenId, applied: true, forced: false, firstSnapshot, oldConfirmed, oldEffective, result: undefined, settledKeys: [] });
        continue;
      }
      const result = this.reconciler.reconcile(oldConfirmed, balance, [...pos.pending.values()]);
      pos.confirmed = balance;
      if (result.outcome !== 'unchanged') pos.replacePending(result.pending);
      this.logReconcile(tokenId, oldConfirmed, balance, result);
      out.push({ tokenId, applied: true, forced: false, firstSnapshot, oldConfirmed, oldEffective, result, settledKeys: result.absorbedKeys });
    }
    return out;
  }

  /**
   * Ages out pending fills of a token first seen at or before now − TTL, then re-arms the token's
   * timer for the oldest fill still pending (whether or not anything aged: the fill the timer was
   * armed for may have been absorbed by a snapshot meanwhile).
   */
  ageOut(tokenId: string): { aged: PendingFill[]; netDelta: Micros } {
    const pos = this.positions.get(tokenId);
    if (!pos || pos.pending.size === 0) return { aged: [], netDelta: 0n };
    const cutoff = this.clock.now() - this.reconciler.pendingFillTtlMs;
    const { aged, kept, netDelta } = agePending([...pos.pending.values()], cutoff);
    if (aged.length > 0) pos.replacePending(kept);
    this.armAgeOut(tokenId);
    if (aged.length === 0) return { aged, netDelta };
    this.logger.warn(
      { tokenId, tradeIds: aged.map((f) => f.tradeId ?? f.key), keys: aged.map((f) => f.key), netDelta: formatMicros(netDelta), confirmed: formatMicros(pos.confirmed) },
      'pending fills aged out',
    );
    this.hooks.onAgedOut?.(tokenId, aged, netDelta);
    return { aged, netDelta };
  }

  /** Arms the token's age-out timer for its oldest pending fill (none pending: no timer). */
  private armAgeOut(tokenId: string): void {
    const pos = this.positions.get(tokenId);
    let oldest: number | undefined;
    for (const f of pos?.pending.values() ?? []) if (oldest === undefined || f.firstSeenAt < oldest) oldest = f.firstSeenAt;
    if (oldest !== undefined) this.scheduleAgeOut(tokenId, oldest + this.reconciler.pendingFillTtlMs);
  }

  /** How far back fill keys are remembered (recovery rebuilds them from the ledger over this window). */
  get dedupWindow(): number {
    return this.dedupWindowMs;
  }

  /**
   * Rebuilds the dedup memory from the ledger's fills before a checkpoint (oldest first), exactly as
   * the live run keyed them: checkpoints carry open state only, not a day of keys.
   */
  rememberFills(fills: Iterable<FillReported>): void {
    for (const f of fills) {
      const { key, ambiguous } = this.keyOf(f);
      if (ambiguous) continue;
      this.seen.delete(key);
      this.seen.set(key, { at: f.at, status: f.status, tokenId: f.tokenId });
      if (f.tradeId && !this.tradeFills.has(key)) this.indexTrade(key, { tradeId: f.tradeId, tokenId: f.tokenId, side: f.side });
    }
    // Oldest first again (pruning relies on it): the pending fills' keys came from the checkpoint first.
    const all = [...this.seen].sort((a, b) => a[1].at - b[1].at);
    this.seen.clear();
    for (const [k, v] of all) this.seen.set(k, v);
  }

  /** State for a checkpoint (JSON-safe). */
  exportState(): InventoryState {
    return {
      positions: [...this.positions.values()].map((p) => ({
        tokenId: p.tokenId, confirmed: p.confirmed.toString(), confirmedAt: p.confirmedAt ?? null,
        confirmedBlock: p.confirmedBlock?.toString() ?? null, discrepancies: this.discrepancyCount(p.tokenId),
        pending: [...p.pending.values()].map((f) => ({ ...f, size: f.size.toString(), originalSize: f.originalSize.toString(), price: f.price.toString() })),
      })),
      // Only the keys of fills still pending (they must stay matched to their trade); the settled ones
      // are rebuilt from the ledger at recovery (rememberFills), so a checkpoint follows open state.
      seen: [...this.seen].filter(([k, v]) => this.positions.get(v.tokenId)?.pending.has(k)).map(([k, v]) => {
        const t = this.tradeFills.get(k);
        return (t ? [k, v.at, v.status, v.tokenId, t.tradeId, t.side] : [k, v.at, v.status, v.tokenId]) as SeenRow;
      }),
      counters: { ...this.counters },
    };
  }

  /** Restores a checkpoint and re-arms age-out timers. */
  importState(state: InventoryState): void {
    this.dispose();
    this.positions.clear();
    this.seen.clear();
    this.discrepancies.clear();
    for (const p of state.positions) {
      const pos = this.position(p.tokenId);
      pos.confirmed = BigInt(p.confirmed);
      pos.confirmedAt = p.confirmedAt ?? undefined;
      pos.confirmedBlock = p.confirmedBlock === null ? undefined : BigInt(p.confirmedBlock);
      if (p.discrepancies) this.discrepancies.set(p.tokenId, p.discrepancies);
      for (const f of p.pending) {
        pos.put({ ...f, tradeId: f.tradeId ?? undefined, orderId: f.orderId ?? undefined, size: BigInt(f.size), originalSize: BigInt(f.originalSize), price: BigInt(f.price) });
      }
      this.armAgeOut(p.tokenId);
    }
    this.byTrade.clear();
    this.tradeFills.clear();
    for (const [k, at, status, tokenId, tradeId, side] of state.seen) {
      this.seen.set(k, { at, status, tokenId: tokenId ?? '' });
      if (tradeId && tokenId && side) this.indexTrade(k, { tradeId, tokenId, side });
    }
    Object.assign(this.counters, state.counters);
  }

  dispose(): void {
    for (const t of this.ageTimers.values()) t.handle.cancel();
    this.ageTimers.clear();
  }

  private scheduleAgeOut(tokenId: string, at: number): void {
    const existing = this.ageTimers.get(tokenId);
    if (existing && existing.at <= at) return;
    existing?.handle.cancel();
    const handle = this.clock.scheduleAt(at, () => {
      this.ageTimers.delete(tokenId);
      this.ageOut(tokenId);
    });
    this.ageTimers.set(tokenId, { at, handle });
  }

  private markSeen(key: string, status: FillStatus, fill: FillReported): void {
    this.seen.delete(key);
    this.seen.set(key, { at: this.clock.now(), status, tokenId: fill.tokenId });
    if (fill.tradeId && !this.tradeFills.has(key)) this.indexTrade(key, { tradeId: fill.tradeId, tokenId: fill.tokenId, side: fill.side });
  }

  private indexTrade(key: string, t: TradeFill): void {
    let keys = this.byTrade.get(t.tradeId);
    if (!keys) this.byTrade.set(t.tradeId, (keys = new Set()));
    keys.add(key);
    this.tradeFills.set(key, t);
  }

  /** key → its trade fill, for the keys in `byTrade`. */
  private readonly tradeFills = new Map<string, TradeFill>();

  private pruneSeen(): void {
    const now = this.clock.now();
    const cutoff = now - this.dedupWindowMs;
    // Bounded too by count (oldest first), so neither memory nor a checkpoint grows with history.
    let over = this.seen.size - MAX_SEEN_KEYS;
    for (const [k, v] of this.seen) {
      if (v.at > cutoff && over <= 0) break;
      over--;
      this.seen.delete(k);
      // A fill still pending stays known (moved to the young end) until it leaves pending.
      if (this.positions.get(v.tokenId)?.pending.has(k)) {
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

  private logReconcile(tokenId: string, oldConfirmed: Micros, newConfirmed: Micros, r: ReconcileResult): void {
    const base = { tokenId, oldConfirmed: formatMicros(oldConfirmed), newConfirmed: formatMicros(newConfirmed), absorbed: formatMicros(r.absorbed) };
    if (r.outcome === 'discrepancy') {
      this.discrepancies.set(tokenId, this.discrepancyCount(tokenId) + 1);
      this.logger.warn(
        { ...base, unexplained: formatMicros(r.unexplained), absorbedKeys: r.absorbedKeys, reducedKey: r.reducedKey, remainingKeys: r.pending.map((f) => f.key) },
        'reconcile discrepancy: the balance moved more than, or against, pending fills',
      );
    } else if (r.outcome !== 'unchanged') {
      this.logger.info({ ...base, outcome: r.outcome, absorbedKeys: r.absorbedKeys, reducedKey: r.reducedKey }, 'pending fills absorbed by snapshot');
    }
  }
}

/** [key, at, status, tokenId, tradeId, side] (the last ones absent for id-less fills and in older checkpoints). */
export type SeenRow = [string, number, FillStatus, string?, string?, string?];

export interface InventoryState {
  positions: {
    tokenId: string;
    confirmed: string;
    confirmedAt: number | null;
    confirmedBlock: string | null;
    discrepancies: number;
    pending: (Omit<PendingFill, 'size' | 'originalSize' | 'price' | 'tradeId' | 'orderId'> & { size: string; originalSize: string; price: string; tradeId?: string | null; orderId?: string | null })[];
  }[];
  seen: SeenRow[];
  counters: Record<FillAction, number>;
}
