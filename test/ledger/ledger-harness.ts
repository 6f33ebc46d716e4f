/** Builds ledgers of each kind through their plugin definitions, on a virtual clock and real temp files; the sqlite tests' per-test files. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach } from 'vitest';
import { VirtualClock } from '../../core/clock.ts';
import type { InboundEvent } from '../../core/events.ts';
import type { LedgerError } from '../../core/errors.ts';
import type { Ledger, LedgerRecord } from '../../core/ledger/ledger.ts';
import { createMemoryLogger } from '../../core/logger.ts';
import type { PluginContext } from '../../core/plugin.ts';
import { encodeEventLine } from '../../core/tape-codec.ts';
import { memoryLedgerPlugin } from '../../plugins/ledger/memory/index.ts';
import { sqliteLedgerPlugin } from '../../plugins/ledger/sqlite/index.ts';
import { SqliteLedger, type SqliteLedgerOptions } from '../../plugins/ledger/sqlite/sqlite-ledger.ts';

export const T0 = Date.UTC(2026, 0, 1);
export const TOKEN_A = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
export const TOKEN_B = '52114319501245915516055106046884209969926127482827954674443846427813813222426';

export function tempDir(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polyquote-ledger-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function pluginContext(clock: VirtualClock, baseDir: string): PluginContext {
  return {
    clock,
    logger: createMemoryLogger().logger,
    configPath: 'ledger',
    createPlugin: () => {
      throw new Error('no nested plugins in ledger tests');
    },
    identity: {},
    baseDir,
  };
}

export interface Harness {
  readonly ledger: Ledger;
  readonly clock: VirtualClock;
  /** Closes and opens again (a new instance for files, the same one in memory). */
  reopen(): Ledger;
  cleanup(): void;
}

export const LEDGER_KINDS: { kind: string; make(): Harness }[] = [
  {
    kind: 'memory',
    make() {
      const clock = new VirtualClock(T0);
      const ledger = memoryLedgerPlugin.create(memoryLedgerPlugin.configSchema.parse({ kind: 'memory' }), pluginContext(clock, '/'));
      return {
        ledger, clock,
        reopen: () => (ledger.close(), ledger.open(), ledger),
        cleanup: () => ledger.close(),
      };
    },
  },
  {
    kind: 'sqlite',
    make() {
      const clock = new VirtualClock(T0);
      const tmp = tempDir();
      const config = sqliteLedgerPlugin.configSchema.parse({ kind: 'sqlite', path: 'ledger.sqlite' });
      const ctx = pluginContext(clock, tmp.dir);
      let current: Ledger = sqliteLedgerPlugin.create(config, ctx);
      const h: Harness = {
        get ledger() {
          return current;
        },
        clock,
        reopen: () => {
          current.close();
          current = sqliteLedgerPlugin.create(config, ctx);
          current.open();
          return current;
        },
        cleanup: () => {
          current.close();
          tmp.remove();
        },
      };
      return h;
    },
  },
];

/** A fill event at T0 + seq seconds and the record the engine would append for it. */
export function fillEvent(seq: number, tokenId = TOKEN_A, side: 'BUY' | 'SELL' = 'BUY'): InboundEvent {
  return { type: 'fill', at: T0 + seq * 1000, tradeId: `t${seq}`, orderId: `0xo${seq}`, tokenId, side, size: 12_500_000n, price: 530_000n, status: 'MATCHED' };
}

export function recordOf(seq: number, e: InboundEvent): LedgerRecord {
  const tokenId = 'tokenId' in e && typeof e.tokenId === 'string' ? e.tokenId : null;
  return { seq, type: e.type, tokenId, at: e.at, payload: encodeEventLine(e) };
}

export function fillRecord(seq: number, tokenId = TOKEN_A): LedgerRecord {
  return recordOf(seq, fillEvent(seq, tokenId));
}

/** Runs `fn` and returns the LedgerError code it threw (fails the test if it did not throw). */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code ?? `not a coded error: ${String(err)}`;
  }
  throw new Error('expected a throw, got none');
}

/** The per-test fixture of the sqlite ledger's own tests: a fresh temp dir, a file path in it and a clock. */
export interface SqliteFiles {
  /** `<temp dir>/ledger.sqlite` of the running test. */
  readonly file: string;
  readonly dir: string;
  readonly clock: VirtualClock;
  /** A SqliteLedger on `file` (not opened), closed after the test. */
  ledgerAt(options?: Partial<SqliteLedgerOptions>): SqliteLedger;
  /** Closes `l` after the test too (a ledger made another way). */
  closeAfter<L extends SqliteLedger>(l: L): L;
  /** Rows on disk as another connection sees them: what a crash right now would keep. */
  committedCount(): number;
}

/** Registers beforeEach/afterEach hooks that give each test a fresh SqliteFiles and clean it up. */
export function useSqliteFiles(): SqliteFiles {
  let tmp: ReturnType<typeof tempDir> | undefined;
  let file = '';
  let clock = new VirtualClock(T0);
  const opened: SqliteLedger[] = [];
  const closeAfter = <L extends SqliteLedger>(l: L): L => {
    opened.push(l);
    return l;
  };
  beforeEach(() => {
    tmp = tempDir();
    file = path.join(tmp.dir, 'ledger.sqlite');
    clock = new VirtualClock(T0);
  });
  afterEach(() => {
    for (const l of opened.splice(0)) {
      try {
        l.close();
      } catch {
        // a test that failed the ledger on purpose may still hold unwritten records
      }
    }
    tmp?.remove();
  });
  return {
    get file() {
      return file;
    },
    get dir() {
      return tmp!.dir;
    },
    get clock() {
      return clock;
    },
    ledgerAt: (options = {}) => closeAfter(new SqliteLedger({ path: file, clock, ...options })),
    closeAfter,
    committedCount: () => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
  };
}

/**
 * Opens `l` and appends fills 1, 2, … until an append throws (a ledger capped by maxSizeBytes);
 * returns the seq that threw, the error and the failures the ledger reported meanwhile.
 */
export function appendUntilFailed(l: SqliteLedger): { seq: number; error: LedgerError; failures: Error[] } {
  l.open();
  const failures: Error[] = [];
  l.onFailure((e) => failures.push(e));
  for (let seq = 1; seq <= 100_000; seq++) {
    try {
      l.append(fillRecord(seq));
    } catch (err) {
      return { seq, error: err as LedgerError, failures };
    }
  }
  throw new Error('expected an append to fail within 100000 fills, got none');
}
