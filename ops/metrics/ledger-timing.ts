/**
 * Times a ledger instance's appends and commits, and sees the gaps it records, by wrapping the
 * instance's own methods (the engine keeps calling the same object). Returns the undo function.
 */
import { performance } from 'node:perf_hooks';
import type { Ledger } from '../../core/ledger/ledger.ts';

export interface LedgerTimingHooks {
  append(seconds: number): void;
  commit(seconds: number): void;
  gap(channel: string): void;
}

export function instrumentLedger(ledger: Ledger, hooks: LedgerTimingHooks): () => void {
  const target = ledger as unknown as Record<string, unknown>;
  const own = new Map<string, PropertyDescriptor | undefined>();
  const wrap = <K extends 'append' | 'flush' | 'recordGap'>(name: K, after: (seconds: number, args: Parameters<Ledger[K]>) => void) => {
    own.set(name, Object.getOwnPropertyDescriptor(target, name));
    const original = (ledger[name] as (...a: unknown[]) => unknown).bind(ledger);
    target[name] = (...args: Parameters<Ledger[K]>) => {
      const t0 = performance.now();
      const out = original(...args);
      try {
        after((performance.now() - t0) / 1000, args);
      } catch {
        // metrics never break the ledger path
      }
      return out;
    };
  };
  wrap('append', (s) => hooks.append(s));
  wrap('flush', (s) => hooks.commit(s));
  wrap('recordGap', (_s, [g]) => hooks.gap(g.channel));
  return () => {
    for (const [name, d] of own) {
      if (d) Object.defineProperty(target, name, d);
      else delete target[name];
    }
  };
}
