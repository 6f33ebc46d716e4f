/**
 * The ledger: an append-only record of every inbound event, written before the event changes any
 * state. Records hold the event's tape line (tape-codec.ts) so export is a straight copy.
 */
export interface LedgerRecord {
  readonly seq: number;
  /** Event type (= tape kind). */
  readonly type: string;
  readonly tokenId: string | null;
  /** Event time, epoch ms. */
  readonly at: number;
  /** The tape line object of the event. */
  readonly payload: Record<string, unknown>;
}

/**
 * A record as the engine appends it: the payload already written as JSON text (tape-json.ts), so the
 * hot path builds no line object. Ledgers store the text as is; reads give back `payload` objects.
 */
export interface EncodedLedgerRecord {
  readonly seq: number;
  readonly type: string;
  readonly tokenId: string | null;
  readonly at: number;
  /** `JSON.stringify` of the tape line object: a JSON object's text. */
  readonly payloadJson: string;
}

export interface LedgerQuery {
  readonly types?: readonly string[];
  readonly tokenId?: string;
  readonly fromAt?: number;
  readonly toAt?: number;
  readonly fromSeq?: number;
  readonly toSeq?: number;
  readonly limit?: number;
}

export interface Checkpoint {
  /** Every record with seq ≤ this is reflected in `state`. */
  readonly seq: number;
  readonly at: number;
  /** Engine state, JSON-safe (bigints as strings). */
  readonly state: unknown;
}

export interface GapRecord {
  readonly id: number;
  readonly channel: string;
  readonly reason: string;
  readonly detectedAt: number;
  readonly detectedSeq: number;
  readonly resolvedAt: number | null;
  /** seq of the snapshot that resolved it. */
  readonly resolvedBySeq: number | null;
  readonly resolution: string | null;
}

export interface LedgerStats {
  readonly count: number;
  readonly firstAt: number | null;
  readonly lastAt: number | null;
  readonly lastSeq: number;
  readonly byType: Record<string, number>;
  readonly openGaps: readonly GapRecord[];
  readonly lastCheckpoint: { seq: number; at: number } | null;
}

export interface Ledger {
  readonly name: string;
  /** How often the engine should write a checkpoint (from the ledger's config); the ledger only stores them. */
  readonly checkpointEverySeconds?: number;
  /** Opens (creating if needed) and locks the store; returns the last written seq (0 if empty). */
  open(): { lastSeq: number };
  /**
   * Appends one record (seq assigned by the caller, strictly increasing). Buffered: it is durable
   * after the next group commit. Throws LedgerError if the ledger has failed. The payload comes as an
   * object or already encoded (`payloadJson`, the engine's path); both are stored as the same text.
   */
  append(record: LedgerRecord | EncodedLedgerRecord): void;
  /** Commits everything buffered. */
  flush(): void;
  query(q: LedgerQuery): LedgerRecord[];
  /** Iterates records with seq > afterSeq in order, without loading them all. */
  iterate(afterSeq: number): Iterable<LedgerRecord>;
  writeCheckpoint(cp: Checkpoint): void;
  /**
   * The newest checkpoint (with `beforeSeq`: the newest one with a lower seq, for recovery to fall
   * back on when a checkpoint cannot be used). A stored state that is not JSON throws LEDGER_CORRUPT
   * with `details.checkpointSeq`.
   */
  latestCheckpoint(beforeSeq?: number): Checkpoint | undefined;
  recordGap(gap: { channel: string; reason: string; detectedAt: number; detectedSeq: number }): number;
  resolveGaps(resolution: { resolvedAt: number; resolvedBySeq: number; resolution: string }): number;
  openGaps(): GapRecord[];
  stats(): LedgerStats;
  /** Deletes records no longer needed by the latest checkpoint, older than `beforeAt`; returns how many. */
  compact(beforeAt: number): number;
  /** Called once when a write fails (disk full …); the engine stops quoting and alerts. */
  onFailure(listener: (err: Error) => void): void;
  /** Flushes and releases the lock. */
  close(): void;
}
