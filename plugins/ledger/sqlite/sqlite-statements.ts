/**
 * Prepared read statements of a ledger's read connection, and the row ⇄ record mapping. Writes are
 * prepared on the writer thread (writer.worker.mjs); inserts go there in chunks of INSERT_CHUNK rows
 * per statement: one native call per chunk instead of per row roughly doubles the insert rate.
 * Events store a token's integer id (the `tokens` dictionary); every read joins it back to the
 * decimal string, so records carry `tokenId` exactly as appended.
 */
import Database from 'better-sqlite3';
import { LedgerError } from '../../../core/errors.ts';
import type { GapRecord, LedgerQuery, LedgerRecord, LedgerStats } from '../../../core/ledger/ledger.ts';

export const INSERT_CHUNK = 64;

/** The columns of a record, the token id translated back through the dictionary (NULL stays NULL). */
export const EVENT_COLUMNS = 'e.seq AS seq, e.type AS type, t.token_id AS token_id, e.at AS at, e.payload AS payload, e.token AS token';
export const EVENTS_FROM = 'events e LEFT JOIN tokens t ON t.id = e.token';

export interface EventRow {
  seq: number;
  type: string;
  token_id: string | null;
  at: number;
  payload: string;
  /** The dictionary id stored in the row (a non-NULL id without its dictionary row is corruption). */
  token?: number | null;
}

interface GapRow {
  id: number;
  channel: string;
  reason: string;
  detected_at: number;
  detected_seq: number;
  resolved_at: number | null;
  resolved_by_seq: number | null;
  resolution: string | null;
}

/** A stored row as a record; a payload that is not a JSON object is LEDGER_CORRUPT naming the record. */
export function toRecord(r: EventRow): LedgerRecord {
  let payload: unknown;
  try {
    payload = JSON.parse(r.payload);
  } catch {
    payload = undefined;
  }
  if (r.token !== null && r.token !== undefined && r.token_id === null) {
    throw new LedgerError('LEDGER_CORRUPT', `ledger record #${r.seq} (${r.type}) names token dictionary id ${r.token}, which has no row in the tokens table`, { errorClass: 'non-retryable' });
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new LedgerError('LEDGER_CORRUPT', `ledger record #${r.seq} (${r.type}) has a payload that is not a JSON object`, { errorClass: 'non-retryable' });
  }
  return { seq: r.seq, type: r.type, tokenId: r.token_id, at: r.at, payload: payload as Record<string, unknown> };
}

export function toGap(r: GapRow): GapRecord {
  return {
    id: r.id, channel: r.channel, reason: r.reason, detectedAt: r.detected_at, detectedSeq: r.detected_seq,
    resolvedAt: r.resolved_at, resolvedBySeq: r.resolved_by_seq, resolution: r.resolution,
  };
}

/** Builds the SQL and parameters of a query; `undefined` when it can match nothing (empty types). */
export function querySql(q: LedgerQuery): { sql: string; params: (string | number)[] } | undefined {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.types) {
    if (q.types.length === 0) return undefined;
    where.push(`e.type IN (${q.types.map(() => '?').join(', ')})`);
    params.push(...q.types);
  }
  // An unknown token makes the subquery NULL, which matches nothing.
  if (q.tokenId !== undefined) where.push('e.token = (SELECT id FROM tokens WHERE token_id = ?)'), params.push(q.tokenId);
  // No (at) index: without a type or token, a time range filters the scan by seq (offline tools only).
  if (q.fromAt !== undefined) where.push('e.at >= ?'), params.push(q.fromAt);
  if (q.toAt !== undefined) where.push('e.at <= ?'), params.push(q.toAt);
  if (q.fromSeq !== undefined) where.push('e.seq >= ?'), params.push(q.fromSeq);
  if (q.toSeq !== undefined) where.push('e.seq <= ?'), params.push(q.toSeq);
  let sql = `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_FROM}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY e.seq`;
  if (q.limit !== undefined) sql += ' LIMIT ?', params.push(q.limit);
  return { sql, params };
}

export class LedgerStatements {
  private readonly queries = new Map<string, Database.Statement>();
  readonly lastEventSeq: Database.Statement;
  readonly latestCheckpoint: Database.Statement;
  readonly checkpointBefore: Database.Statement;
  readonly openGaps: Database.Statement;
  readonly byType: Database.Statement;
  readonly tokens: Database.Statement;

  constructor(private readonly db: Database.Database) {
    const sql = (s: string) => db.prepare(s);
    this.lastEventSeq = sql('SELECT max(seq) AS seq FROM events');
    this.latestCheckpoint = sql('SELECT seq, at, state FROM checkpoints ORDER BY seq DESC LIMIT 1');
    this.checkpointBefore = sql('SELECT seq, at, state FROM checkpoints WHERE seq < ? ORDER BY seq DESC LIMIT 1');
    this.openGaps = sql('SELECT * FROM gaps WHERE resolved_at IS NULL ORDER BY id');
    // One pass over the covering (type, at) index gives the counts and the exact time span, whether
    // or not `at` was appended in order (stats() sums and folds the per-type rows).
    this.byType = sql('SELECT type, count(*) AS n, min(at) AS firstAt, max(at) AS lastAt FROM events GROUP BY type ORDER BY type');
    this.tokens = sql('SELECT id, token_id FROM tokens');
  }

  /** The last seq written (the latest checkpoint's counts: compaction may have deleted every event up to it). */
  lastSeqs(): { lastSeq: number; latestCheckpointSeq: number | undefined } {
    const cp = this.latestCheckpoint.get() as { seq: number } | undefined;
    const last = (this.lastEventSeq.get() as { seq: number | null }).seq ?? 0;
    return { lastSeq: Math.max(last, cp?.seq ?? 0), latestCheckpointSeq: cp?.seq };
  }

  /** Loads the token dictionary (token id → integer id) into `into`; returns the next free id. */
  loadTokens(into: Map<string, number>): number {
    let next = 1;
    for (const r of this.tokens.iterate() as Iterable<{ id: number; token_id: string }>) {
      into.set(r.token_id, r.id);
      if (r.id >= next) next = r.id + 1;
    }
    return next;
  }

  query(q: LedgerQuery): LedgerRecord[] {
    const built = querySql(q);
    if (!built) return [];
    let stmt = this.queries.get(built.sql);
    if (!stmt) {
      stmt = this.db.prepare(built.sql);
      if (this.queries.size < 64) this.queries.set(built.sql, stmt);
    }
    return (stmt.all(...built.params) as EventRow[]).map(toRecord);
  }

  gapsOpen(): GapRecord[] {
    return (this.openGaps.all() as GapRow[]).map(toGap);
  }

  /** Counts and time span per type (one pass over the (type, at) index), open gaps, the latest checkpoint. */
  stats(lastSeq: number): LedgerStats {
    const byType: Record<string, number> = {};
    let count = 0;
    let firstAt: number | null = null;
    let lastAt: number | null = null;
    for (const r of this.byType.all() as { type: string; n: number; firstAt: number; lastAt: number }[]) {
      byType[r.type] = r.n;
      count += r.n;
      if (firstAt === null || r.firstAt < firstAt) firstAt = r.firstAt;
      if (lastAt === null || r.lastAt > lastAt) lastAt = r.lastAt;
    }
    const cp = this.latestCheckpoint.get() as { seq: number; at: number } | undefined;
    return { count, firstAt, lastAt, lastSeq, byType, openGaps: this.gapsOpen(), lastCheckpoint: cp ? { seq: cp.seq, at: cp.at } : null };
  }
}

/**
 * Every record after `afterSeq`, streamed on a read connection of its own: WAL gives it a stable
 * snapshot, and group commits on the main connection go on while a consumer (export) awaits.
 */
export function* streamRecordsAfter(file: string, afterSeq: number): Generator<LedgerRecord> {
  const reader = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const stmt = reader.prepare(`SELECT ${EVENT_COLUMNS} FROM ${EVENTS_FROM} WHERE e.seq > ? ORDER BY e.seq`);
    for (const row of stmt.iterate(afterSeq)) yield toRecord(row as EventRow);
  } finally {
    reader.close();
  }
}
