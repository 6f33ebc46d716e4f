/**
 * Opening a ledger file. Read-only: the file must already hold a ledger, and no lock is taken.
 * Writable: the directory is created, the lock taken, the writer thread started (it creates the
 * schema of a new file) and a read-only connection opened beside it; if any step fails, everything
 * taken so far is given back (connection, thread, lock) before the error is thrown.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LedgerError } from '../../../core/errors.ts';
import { LockFile } from './lock-file.ts';
import type { SqliteLedgerOptions } from './sqlite-options.ts';
import { checkHeader, SCHEMA_SQL, verifyExisting } from './sqlite-schema.ts';
import { INSERT_CHUNK } from './sqlite-statements.ts';
import { WriterThread } from './writer-thread.ts';

/** Page size of new files: fewer, larger pages cut B-tree overhead for the event indexes. */
const PAGE_SIZE = 16384;

/** Opens an existing ledger read-only and hands the connection to `attach` (whose errors count as open errors). */
export function openReadOnly(file: string, attach: (db: Database.Database) => void): void {
  if (checkHeader(file) !== 'sqlite' || verifyExisting(file) === 0) {
    throw new LedgerError('LEDGER_NOT_FOUND', `ledger ${file} does not exist or holds no ledger yet`);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    attach(db);
  } catch (err) {
    db?.close();
    throw new LedgerError('LEDGER_OPEN_FAILED', `cannot open ledger ${file} read-only: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Opens (or creates) a ledger for writing: takes the lock, starts the writer thread, and hands the
 * read connection to `attach`. On failure `detach` forgets the connection, then all is released.
 */
export function openWritable(
  options: SqliteLedgerOptions,
  onWriterDeath: (err: Error) => void,
  attach: (db: Database.Database) => void,
  detach: () => void,
): { writer: WriterThread; lock: LockFile } {
  const file = options.path;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const kind = checkHeader(file);
  const lock = LockFile.acquire(file);
  let writer: WriterThread | undefined;
  let db: Database.Database | undefined;
  try {
    const version = kind === 'sqlite' ? verifyExisting(file) : 0;
    writer = new WriterThread(
      {
        file, createSql: version === 0 ? SCHEMA_SQL : undefined, pageSize: PAGE_SIZE,
        synchronous: options.synchronous === 'full' ? 'FULL' : 'NORMAL',
        maxSizeBytes: options.maxSizeBytes, chunk: INSERT_CHUNK,
      },
      onWriterDeath,
    );
    db = new Database(file, { readonly: true, fileMustExist: true });
    attach(db);
  } catch (err) {
    db?.close();
    detach();
    try {
      writer?.close();
    } catch {
      // the open error below is the one to report
    }
    lock.release();
    if (err instanceof LedgerError) throw err;
    throw new LedgerError('LEDGER_OPEN_FAILED', `cannot open ledger ${file}: ${(err as Error).message}`, { cause: err });
  }
  return { writer, lock };
}
