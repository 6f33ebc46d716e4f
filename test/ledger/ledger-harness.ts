/** Builds ledgers of each kind through their plugin definitions, on a virtual clock and real temp files. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../core/clock.ts';
import type { InboundEvent } from '../../core/events.ts';
import type { Ledger, LedgerRecord } from '../../core/ledger/ledger.ts';
import { createMemoryLogger } from '../../core/logger.ts';
import type { PluginContext } from '../../core/plugin.ts';
import { encodeEventLine } from '../../core/tape-codec.ts';
import { memoryLedgerPlugin } from '../../plugins/ledger/memory/index.ts';
import { sqliteLedgerPlugin } from '../../plugins/ledger/sqlite/index.ts';

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
