/** Options of the SQLite ledger (plugins/ledger/sqlite/index.ts builds them from config). */
import type { Clock } from '../../../core/clock.ts';
import type { Logger } from '../../../core/logger.ts';

export interface SqliteLedgerOptions {
  /** Absolute path of the ledger file. */
  readonly path: string;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly groupCommit?: { readonly maxBatch: number; readonly intervalMs: number };
  readonly checkpointEverySeconds?: number;
  /** When set, each checkpoint compacts what is older than `keepSeconds` before it. */
  readonly retention?: { readonly keepSeconds?: number | undefined };
  readonly synchronous?: 'normal' | 'full';
  /** Caps the file (PRAGMA max_page_count); reaching it is a write failure like a full disk. */
  readonly maxSizeBytes?: number;
  /** Opens without the lock, for inspect/export beside a running engine; every write throws LEDGER_READ_ONLY. */
  readonly readOnly?: boolean;
}
