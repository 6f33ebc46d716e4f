/**
 * The ledger contract held in memory, for tests and replay. It keeps the same rules as the SQLite
 * ledger (seq order, JSON copies of payloads and states, gaps, compaction) but has no durability, no
 * lock and never fails. Data survives close()/open() on the same instance, like a file would.
 */
import type { Checkpoint, EncodedLedgerRecord, GapRecord, Ledger, LedgerQuery, LedgerRecord, LedgerStats } from '../../../core/ledger/ledger.ts';
import { checkQuery, decodeCheckpointState, encodeCheckpoint, encodeRecord, FailureListeners, KEEP_CHECKPOINTS, notOpen } from '../ledger-rules.ts';

interface StoredRecord {
  readonly seq: number;
  readonly type: string;
  readonly tokenId: string | null;
  readonly at: number;
  readonly json: string;
}

interface StoredCheckpoint {
  readonly seq: number;
  readonly at: number;
  readonly stateJson: string;
}

export class MemoryLedger implements Ledger {
  readonly name: string;
  readonly checkpointEverySeconds: number;
  private readonly records: StoredRecord[] = [];
  private checkpoints: StoredCheckpoint[] = [];
  private gaps: GapRecord[] = [];
  private nextGapId = 1;
  private lastSeq = 0;
  private isOpen = false;
  private readonly failures = new FailureListeners();

  constructor(options: { name?: string; checkpointEverySeconds?: number } = {}) {
    this.name = options.name ?? 'memory ledger';
    this.checkpointEverySeconds = options.checkpointEverySeconds ?? 60;
  }

  open(): { lastSeq: number } {
    this.isOpen = true;
    return { lastSeq: this.lastSeq };
  }

  append(record: LedgerRecord | EncodedLedgerRecord): void {
    this.assertOpen();
    const json = encodeRecord(this.name, record, this.lastSeq);
    this.records.push({ seq: record.seq, type: record.type, tokenId: record.tokenId, at: record.at, json });
    this.lastSeq = record.seq;
  }

  flush(): void {
    this.assertOpen();
  }

  query(q: LedgerQuery): LedgerRecord[] {
    this.assertOpen();
    checkQuery(this.name, q);
    const types = q.types ? new Set(q.types) : undefined;
    const out: LedgerRecord[] = [];
    if (q.limit === 0) return out;
    for (let i = this.firstIndexAfter((q.fromSeq ?? 0) - 1); i < this.records.length; i++) {
      const r = this.records[i]!;
      if (q.toSeq !== undefined && r.seq > q.toSeq) break;
      if (types && !types.has(r.type)) continue;
      if (q.tokenId !== undefined && r.tokenId !== q.tokenId) continue;
      if ((q.fromAt !== undefined && r.at < q.fromAt) || (q.toAt !== undefined && r.at > q.toAt)) continue;
      out.push(toRecord(r));
      if (q.limit !== undefined && out.length >= q.limit) break;
    }
    return out;
  }

  *iterate(afterSeq: number): Iterable<LedgerRecord> {
    this.assertOpen();
    // A snapshot, so appends or a compaction during iteration neither shift nor repeat records.
    const snapshot = this.records.slice(this.firstIndexAfter(afterSeq));
    for (const r of snapshot) yield toRecord(r);
  }

  writeCheckpoint(cp: Checkpoint): void {
    this.assertOpen();
    const latest = this.checkpoints.at(-1);
    const stateJson = encodeCheckpoint(this.name, cp, this.lastSeq, latest?.seq);
    if (latest?.seq === cp.seq) this.checkpoints.pop();
    this.checkpoints.push({ seq: cp.seq, at: cp.at, stateJson });
  }

  latestCheckpoint(beforeSeq?: number): Checkpoint | undefined {
    this.assertOpen();
    const cp = beforeSeq === undefined ? this.checkpoints.at(-1) : this.checkpoints.findLast((c) => c.seq < beforeSeq);
    return cp && { seq: cp.seq, at: cp.at, state: decodeCheckpointState(this.name, cp.seq, cp.stateJson) };
  }

  recordGap(gap: { channel: string; reason: string; detectedAt: number; detectedSeq: number }): number {
    this.assertOpen();
    const id = this.nextGapId++;
    this.gaps.push({ id, ...pickGap(gap), resolvedAt: null, resolvedBySeq: null, resolution: null });
    return id;
  }

  resolveGaps(resolution: { resolvedAt: number; resolvedBySeq: number; resolution: string }): number {
    this.assertOpen();
    let n = 0;
    this.gaps = this.gaps.map((g) => {
      if (g.resolvedAt !== null) return g;
      n++;
      return { ...g, resolvedAt: resolution.resolvedAt, resolvedBySeq: resolution.resolvedBySeq, resolution: resolution.resolution };
    });
    return n;
  }

  openGaps(): GapRecord[] {
    this.assertOpen();
    return this.gaps.filter((g) => g.resolvedAt === null).map((g) => ({ ...g }));
  }

  stats(): LedgerStats {
    this.assertOpen();
    const byType: Record<string, number> = {};
    let firstAt: number | null = null;
    let lastAt: number | null = null;
    for (const r of this.records) {
      byType[r.type] = (byType[r.type] ?? 0) + 1;
      if (firstAt === null || r.at < firstAt) firstAt = r.at;
      if (lastAt === null || r.at > lastAt) lastAt = r.at;
    }
    const cp = this.checkpoints.at(-1);
    return {
      count: this.records.length, firstAt, lastAt, lastSeq: this.lastSeq, byType,
      openGaps: this.openGaps(), lastCheckpoint: cp ? { seq: cp.seq, at: cp.at } : null,
    };
  }

  compact(beforeAt: number): number {
    this.assertOpen();
    const cp = this.checkpoints.at(-1);
    this.checkpoints = this.checkpoints.slice(-KEEP_CHECKPOINTS);
    this.gaps = this.gaps.filter((g) => g.resolvedAt === null || g.resolvedAt >= beforeAt);
    if (!cp) return 0;
    const before = this.records.length;
    const kept = this.records.filter((r) => r.seq > cp.seq || r.at >= beforeAt);
    this.records.splice(0, this.records.length, ...kept);
    return before - kept.length;
  }

  onFailure(listener: (err: Error) => void): void {
    this.failures.add(listener);
  }

  close(): void {
    this.isOpen = false;
  }

  private assertOpen(): void {
    if (!this.isOpen) throw notOpen(this.name);
  }

  /** Index of the first record with seq > afterSeq (records are sorted by seq). */
  private firstIndexAfter(afterSeq: number): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid]!.seq <= afterSeq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function toRecord(r: StoredRecord): LedgerRecord {
  return { seq: r.seq, type: r.type, tokenId: r.tokenId, at: r.at, payload: JSON.parse(r.json) as Record<string, unknown> };
}

function pickGap(g: { channel: string; reason: string; detectedAt: number; detectedSeq: number }) {
  return { channel: g.channel, reason: g.reason, detectedAt: g.detectedAt, detectedSeq: g.detectedSeq };
}
