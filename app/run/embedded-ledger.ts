/**
 * The embedded simulator is a new world at every start: a fresh anvil chain (block numbers from 0),
 * new order ids, no trades. A ledger kept from an earlier embedded run describes a world that no
 * longer exists — recovering it would hold quoting until the new chain passed the old block height
 * and report its whole history as drift. So an embedded `run` starts on a new ledger and keeps the
 * old one beside it, renamed with the time it was set aside (never deleted: nothing recorded is lost).
 * A ledger held by a live engine is left alone; opening it then fails with LEDGER_LOCKED, as it should.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LockFile } from '../../plugins/ledger/sqlite/lock-file.ts';

/** The files that make up a SQLite ledger at `file`, besides the database itself. */
const COMPANIONS = ['-wal', '-shm', '.ingest.jsonl'] as const;

/** Moves an earlier run's ledger aside; returns where it went (undefined: there was none). */
export function setAsideEarlierWorld(file: string, now: Date = new Date()): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  const lock = LockFile.acquire(file); // throws LEDGER_LOCKED when a live engine writes it
  try {
    const ext = path.extname(file);
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    let target = `${file.slice(0, file.length - ext.length)}.${stamp}${ext}`;
    for (let n = 1; fs.existsSync(target); n++) target = `${file.slice(0, file.length - ext.length)}.${stamp}-${n}${ext}`;
    // Companions first, the database last: a crash in between leaves the database where it was.
    for (const c of COMPANIONS) if (fs.existsSync(file + c)) fs.renameSync(file + c, target + c);
    fs.renameSync(file, target);
    return target;
  } finally {
    lock.release();
  }
}
