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
import { FillMemory, type SeenRow } from './fill-memory.ts';
import { agePending, type ReconcileResult } from './reconcile.ts';
import type { Reconciler } from './reconciler.ts';
import { TrackedPosition, withStatus, type PendingFill } from './tracked-position.ts';

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

export interface InventoryHooks {
  /** Called whenever a token's effective size changed for a reason other than a fill. */
  onAgedOut?(tokenId: string, aged: readonly PendingFill[], netDelta: Micros): void;
}

@injectable()
export class InventoryManager {
  private readonly positions = new Map<string, TrackedPosition>();
  /** Keys of the fills seen within the dedup window (fill-memory.ts). */
  private readonly memory: FillMemory;
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
  ) {
    this.memory = new FillMemory(dedupWindowMs, (t, k) => this.positions.get(t)?.pending.has(k) ?? false);
  }

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
    return this.memory.statusOf(key);
  }

  /** How many entries the manager holds: positions and timers per token, pending fills, dedup keys. */
  retainedCounts(): { positions: number; pending: number; ageTimers: number; dedupKeys: number; dedupTradeKeys: number; dedupTradeIds: number } {
    let pending = 0;
    for (const p of this.positions.values()) pending += p.pending.size;
    const m = this.memory.size;
    return { positions: this.positions.size, pending, ageTimers: this.ageTimers.size, dedupKeys: m.keys, dedupTradeKeys: m.tradeKeys, dedupTradeIds: m.tradeIds };
  }

  discrepancyCount(tokenId: string): number {
    return this.discrepancies.get(tokenId) ?? 0;
  }

  private countDiscrepancy(tokenId: string): void {
    this.discrepancies.set(tokenId, this.discrepancyCount(tokenId) + 1);
  }

  /** A user-feed fill: becomes (or updates) a pending fill; never touches confirmed. */
  applyFill(fill: FillReported, seq: number): FillApplied {
    const r = this.classifyFill(fill, seq);
    this.counters[r.action]++;
    return r;
  }

  private classifyFill(fill: FillReported, _seq: number): FillApplied {
    this.memory.prune(this.clock.now());
    const { key, synthesized, ambiguous } = this.memory.keyOf(fill);
    const pos = this.position(fill.tokenId);
    const existing = pos.pending.get(key);
    if (ambiguous) {
      this.logger.warn(fillLog(fill, key), 'fill without order id for a trade that filled several of our orders; not counted');
      return { action: 'duplicate', key, tokenId: fill.tokenId, fill: undefined };
    }

    if (existing) {
      if (fill.status === 'FAILED') {
        pos.remove(key);
        this.memory.mark(key, 'FAILED', fill, this.clock.now());
        this.logger.warn({ ...fillLog(fill, key), size: formatMicros(existing.size), side: existing.side }, 'pending fill removed: trade FAILED');
        return { action: 'removed-failed', key, tokenId: fill.tokenId, fill: existing };
      }
      if (existing.size !== fill.size && existing.size === existing.originalSize && fill.size !== existing.originalSize) {
        this.logger.warn({ ...fillLog(fill, key), was: formatMicros(existing.originalSize), now: formatMicros(fill.size) }, 'fill re-reported with a different size; keeping the first');
      }
      const updated = withStatus(existing, fill.status);
      pos.put(updated);
      this.memory.mark(key, fill.status, fill, this.clock.now());
      if (this.logger.isLevelEnabled('debug')) this.logger.debug(fillLog(fill, key), 'pending fill status updated');
      return { action: 'status-updated', key, tokenId: fill.tokenId, fill: updated };
    }
    if (this.memory.has(key)) {
      if (this.logger.isLevelEnabled('debug')) this.logger.debug(fillLog(fill, key), 'fill already counted; duplicate ignored');
      return { action: 'duplicate', key, tokenId: fill.tokenId, fill: undefined };
    }
    this.memory.mark(key, fill.status, fill, this.clock.now());
    if (fill.status === 'FAILED') {
      this.logger.warn(fillLog(fill, key), 'fill reported FAILED before any pending fill; nothing to remove');
      return { action: 'ignored-failed', key, tokenId: fill.tokenId, fill: undefined };
    }
    const added: PendingFill = {
      key, tradeId: fill.tradeId, orderId: fill.orderId, side: fill.side, size: fill.size, originalSize: fill.size,
      price: fill.price, firstSeenAt: fill.at, status: fill.status,
    };
    pos.put(added);
    this.scheduleAgeOut(fill.tokenId, fill.at + this.reconciler.pendingFillTtlMs);
    if (this.logger.isLevelEnabled('info')) {
      this.logger.info({ ...fillLog(fill, key), side: fill.side, size: formatMicros(fill.size), price: formatMicros(fill.price), synthesized }, 'pending fill added');
    }
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
        if (gap !== 0n) this.countDiscrepancy(tokenId);
        out.push({ tokenId, applied: true, forced: true, firstSnapshot, oldConfirmed, oldEffective, result: undefined, settledKeys: cleared.map((f) => f.key) });
        continue;
      }
      if (firstSnapshot) {
        pos.confirmed = balance;
        this.logger.info({ tokenId, confirmed: formatMicros(balance), pendingKeys: [...pos.pending.keys()] }, 'first snapshot: baseline set');
        out.push({ tokenId, applied: true, forced: false, firstSnapshot, oldConfirmed, oldEffective, result: undefined, settledKeys: [] });
        continue;
      }
      const result = this.reconciler.reconcile(oldConfirmed, balance, [...pos.pending.values()], { buys: pos.pendingBuys, sells: pos.pendingSells });
      pos.confirmed = balance;
      if (result.outcome !== 'unchanged') applyReconciled(pos, result);
      if (result.outcome === 'discrepancy') this.countDiscrepancy(tokenId);
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

  /** How long a pending fill may stay unconfirmed before it ages out. */
  get pendingFillTtlMs(): number {
    return this.reconciler.pendingFillTtlMs;
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
    this.memory.remember(fills);
  }

  /** State for a checkpoint (JSON-safe). */
  exportState(): InventoryState {
    return {
      positions: [...this.positions.values()].map((p) => ({
        tokenId: p.tokenId, confirmed: p.confirmed.toString(), confirmedAt: p.confirmedAt ?? null,
        confirmedBlock: p.confirmedBlock?.toString() ?? null, discrepancies: this.discrepancyCount(p.tokenId),
        pending: [...p.pending.values()].map((f) => ({ ...f, size: f.size.toString(), originalSize: f.originalSize.toString(), price: f.price.toString() })),
      })),
      // Only the keys of fills still pending; the settled ones are rebuilt from the ledger at recovery.
      seen: this.memory.export(),
      counters: { ...this.counters },
    };
  }

  /** Restores a checkpoint and re-arms age-out timers. */
  importState(state: InventoryState): void {
    this.dispose();
    this.positions.clear();
    this.discrepancies.clear();
    for (const p of state.positions) {
      const pos = this.position(p.tokenId);
      pos.confirmed = BigInt(p.confirmed);
      pos.confirmedAt = p.confirmedAt ?? undefined;
      pos.confirmedBlock = p.confirmedBlock === null ? undefined : BigInt(p.confirmedBlock);
      if (p.discrepancies) this.discrepancies.set(p.tokenId, p.discrepancies);
      for (const f of p.pending) {
        pos.put({
          key: f.key, tradeId: f.tradeId ?? undefined, orderId: f.orderId ?? undefined, side: f.side, size: BigInt(f.size), originalSize: BigInt(f.originalSize),
          price: BigInt(f.price), firstSeenAt: f.firstSeenAt, status: f.status,
        });
      }
      this.armAgeOut(p.tokenId);
    }
    this.memory.import(state.seen);
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

  private logReconcile(tokenId: string, oldConfirmed: Micros, newConfirmed: Micros, r: ReconcileResult): void {
    // The fields are built only for a line that is written: this runs for every token of every snapshot.
    if (r.outcome === 'unchanged' || !this.logger.isLevelEnabled(r.outcome === 'discrepancy' ? 'warn' : 'info')) return;
    const base = { tokenId, oldConfirmed: formatMicros(oldConfirmed), newConfirmed: formatMicros(newConfirmed), absorbed: formatMicros(r.absorbed) };
    if (r.outcome === 'discrepancy') {
      this.logger.warn(
        { ...base, unexplained: formatMicros(r.unexplained), absorbedKeys: r.absorbedKeys, reducedKey: r.reducedKey, remainingKeys: r.pending.map((f) => f.key) },
        'reconcile discrepancy: the balance moved more than, or against, pending fills',
      );
    } else {
      this.logger.info({ ...base, outcome: r.outcome, absorbedKeys: r.absorbedKeys, reducedKey: r.reducedKey }, 'pending fills absorbed by snapshot');
    }
  }
}

/**
 * Brings a position's pending fills to a reconcile result: the absorbed ones removed and the reduced
 * one replaced in place (O(absorbed), not a rebuild of every pending fill); a result that is not
 * of that shape (another reconciler's) replaces the whole list.
 */
function applyReconciled(pos: TrackedPosition, r: ReconcileResult): void {
  if (r.pending.length === 0) {
    pos.clearPending();
    return;
  }
  pos.removeAll(r.absorbedKeys);
  if (r.reducedKey !== undefined) {
    const reduced = r.pending.find((f) => f.key === r.reducedKey);
    if (reduced) pos.put(reduced);
  }
  if (pos.pending.size !== r.pending.length) pos.replacePending(r.pending);
}

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

/** The fields every fill log line names (built only when a line is written). */
function fillLog(fill: FillReported, key: string) {
  return { tokenId: fill.tokenId, key, tradeId: fill.tradeId, orderId: fill.orderId, status: fill.status };
}
