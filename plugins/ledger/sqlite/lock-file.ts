/**
 * The writer lock: `<ledger>.lock`, created with O_EXCL (`wx`) and holding the owner's pid, host and
 * start time. Two engines must never write one ledger, and SQLite's own EXCLUSIVE locking mode would
 * also shut out the WAL readers that `inspect` and `export` rely on, hence a lock file beside it.
 * A lock whose pid is dead on this host is stale (the engine crashed) and is taken over; a lock from
 * another host is never judged stale, since its pid means nothing here.
 */
import fs from 'node:fs';
import os from 'node:os';
import { LedgerError } from '../../../core/errors.ts';

export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** Wall-clock time the lock was taken (for people reading it, not for logic). */
  readonly startedAt: string;
}

export class LockFile {
  private constructor(
    readonly path: string,
    readonly owner: LockOwner,
  ) {}

  /** Takes the lock for `ledgerPath`, replacing a stale one; throws LEDGER_LOCKED when it is held. */
  static acquire(ledgerPath: string): LockFile {
    const path = `${ledgerPath}.lock`;
    const owner: LockOwner = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      let fd: number;
      try {
        fd = fs.openSync(path, 'wx', 0o644);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new LedgerError('LEDGER_LOCK_FAILED', `cannot create the lock file ${path}: ${(err as Error).message}`, { cause: err });
        }
        const holder = readOwner(path);
        if (holder === 'gone') continue;
        // An empty lock is one a kill left between creating and writing it: stale once it is not brand new.
        if (holder === undefined && isAbandonedEmpty(path)) {
          fs.rmSync(path, { force: true });
          continue;
        }
        if (holder && isStale(holder)) {
          removeIfUnchanged(path, holder);
          continue;
        }
        throw lockedError(ledgerPath, path, holder);
      }
      try {
        fs.writeSync(fd, `${JSON.stringify(owner)}\n`);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return new LockFile(path, owner);
    }
    throw lockedError(ledgerPath, path, undefined);
  }

  /** Removes the lock if it is still ours (never someone else's that took over). */
  release(): void {
    const holder = readOwner(this.path);
    if (holder && holder !== 'gone' && holder.pid === this.owner.pid && holder.startedAt === this.owner.startedAt) {
      fs.rmSync(this.path, { force: true });
    }
  }
}

/** Reads the lock's owner: 'gone' if the file vanished, undefined if it cannot be understood. */
export function readOwner(path: string): LockOwner | 'gone' | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return undefined;
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isSafeInteger(o.pid) && typeof o.hostname === 'string' && typeof o.startedAt === 'string') return o as LockOwner;
  } catch {
    // fall through: half-written or foreign content
  }
  return undefined;
}

/** An empty lock file older than a second: no live engine takes that long between create and write. */
function isAbandonedEmpty(path: string): boolean {
  try {
    const st = fs.statSync(path);
    return st.size === 0 && Date.now() - st.mtimeMs > 1000;
  } catch {
    return false;
  }
}

function isStale(owner: LockOwner): boolean {
  if (owner.hostname !== os.hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Deletes a stale lock only if it still holds what we judged stale (another engine may have replaced it). */
function removeIfUnchanged(path: string, stale: LockOwner): void {
  const now = readOwner(path);
  if (now && now !== 'gone' && now.pid === stale.pid && now.startedAt === stale.startedAt) fs.rmSync(path, { force: true });
}

function lockedError(ledgerPath: string, lockPath: string, holder: LockOwner | undefined): LedgerError {
  const who = holder
    ? `pid ${holder.pid} on ${holder.hostname} (since ${holder.startedAt})`
    : 'an owner that cannot be read from the lock file';
  return new LedgerError(
    'LEDGER_LOCKED',
    `ledger ${ledgerPath} is locked by ${who}; expected no other engine writing it. Stop that engine, or delete ${lockPath} if it is not running`,
  );
}
