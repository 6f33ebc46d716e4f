/**
 * The ledger file's schema and the checks made before anything is written to an existing file: a
 * SQLite header, a plausible length, `PRAGMA quick_check`, our application id and a schema version
 * we know. The checks run on a read-only connection, because closing a read-write connection on a
 * WAL database checkpoints the WAL into the main file, which would modify a file we are refusing.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { LedgerError } from '../../../core/errors.ts';

/**
 * PRAGMA user_version of the files this code writes. 2: token dictionary (`tokens`), events store
 * the token's integer id; no `(at)` index. Older versions are refused, not migrated (nothing was
 * released with them): see checkIdentity.
 */
export const SCHEMA_VERSION = 2;
/** PRAGMA application_id: 'PQLG', marks a file as a polyquote ledger. */
export const APPLICATION_ID = 0x50514c47;

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * `tokens` maps each 78-digit decimal token id to a small integer, assigned by the engine-side writer
 * (sqlite-ledger.ts) and inserted in the same transaction as the first event that uses it; events
 * store that integer in `token` (NULL for events without a token). No `(at)` index: time-range
 * queries filter a scan by seq, and stats() reads min/max(at) per type through `(type, at)`
 * (docs/ledger.md, "Schema and versioning").
 */
export const SCHEMA_SQL = `
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  token_id TEXT NOT NULL UNIQUE
);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  token INTEGER,
  at INTEGER NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX events_type_at ON events(type, at);
CREATE INDEX events_token_at ON events(token, at);
CREATE TABLE checkpoints (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  state TEXT NOT NULL
);
CREATE TABLE gaps (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  channel TEXT NOT NULL,
  reason TEXT NOT NULL,
  detected_at INTEGER NOT NULL,
  detected_seq INTEGER NOT NULL,
  resolved_at INTEGER,
  resolved_by_seq INTEGER,
  resolution TEXT
);
CREATE INDEX gaps_open ON gaps(resolved_at);
PRAGMA application_id = ${APPLICATION_ID};
PRAGMA user_version = ${SCHEMA_VERSION};
`;

const corrupt = (file: string, what: string, cause?: unknown) =>
  new LedgerError('LEDGER_CORRUPT', `ledger ${file} ${what}; it was left untouched`, { cause });

/**
 * Reads the header bytes: 'absent' or 'empty' (SQLite will initialise it), 'sqlite' otherwise.
 * Throws LEDGER_CORRUPT for a file that is not SQLite or is shorter than its header says.
 */
export function checkHeader(file: string): 'absent' | 'empty' | 'sqlite' {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw new LedgerError('LEDGER_OPEN_FAILED', `cannot read ledger ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (!st.isFile()) throw corrupt(file, 'is not a regular file');
  if (st.size === 0) return 'empty';
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  let n: number;
  try {
    n = fs.readSync(fd, header, 0, 100, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (n < 100 || !header.subarray(0, 16).equals(MAGIC)) {
    throw corrupt(file, `is not a SQLite database (expected the header "SQLite format 3", got ${n} bytes that do not match)`);
  }
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw corrupt(file, `has an invalid page size ${raw} in its header`);
  if (st.size % pageSize !== 0) throw corrupt(file, `is truncated (expected a multiple of the ${pageSize}-byte page size, got ${st.size} bytes)`);
  const pages = header.readUInt32BE(28);
  const countValid = header.readUInt32BE(92) === header.readUInt32BE(96);
  // With committed frames still in the WAL the main file may lag its header; quick_check covers that case.
  if (countValid && pages > 0 && !hasWalFrames(file) && st.size < pages * pageSize) {
    throw corrupt(file, `is truncated (expected ${pages * pageSize} bytes for ${pages} pages, got ${st.size})`);
  }
  return 'sqlite';
}

function hasWalFrames(file: string): boolean {
  try {
    return fs.statSync(`${file}-wal`).size > 32;
  } catch {
    return false;
  }
}

/** Verifies an existing file on a read-only connection; returns its schema version (0 = never initialised). */
export function verifyExisting(file: string): number {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check);
    if (problems.length !== 1 || problems[0] !== 'ok') throw corrupt(file, `failed PRAGMA quick_check: ${problems.join('; ')}`);
    return checkIdentity(file, db);
  } catch (err) {
    if (err instanceof LedgerError) throw err;
    throw corrupt(file, `cannot be read as a SQLite database (${(err as Error).message})`, err);
  } finally {
    db?.close();
  }
}

/** Checks application id and schema version on an open connection; returns the version. */
export function checkIdentity(file: string, db: Database.Database): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  const appId = db.pragma('application_id', { simple: true }) as number;
  const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
  if (version === 0 && appId === 0 && tables === 0) return 0;
  if (appId !== APPLICATION_ID) {
    throw new LedgerError(
      'LEDGER_FOREIGN',
      `ledger ${file} is a SQLite database but not a polyquote ledger (expected application_id ${APPLICATION_ID}, got ${appId}); it was left untouched`,
    );
  }
  if (version > SCHEMA_VERSION) {
    throw new LedgerError(
      'LEDGER_SCHEMA_NEWER',
      `ledger ${file} was written by a newer polyquote (expected schema version ≤ ${SCHEMA_VERSION}, got ${version}); upgrade polyquote to open it. It was left untouched`,
    );
  }
  if (version < 1) throw corrupt(file, `has application_id set but no schema version`);
  if (version < SCHEMA_VERSION) {
    throw new LedgerError(
      'LEDGER_SCHEMA_OLDER',
      `ledger ${file} was written by an older polyquote (expected schema version ${SCHEMA_VERSION}, got ${version}); ` +
        `this version does not migrate it: export it to a tape with the polyquote that wrote it ("polyquote ledger export"), ` +
        `or start a new ledger at another path. It was left untouched`,
    );
  }
  return version;
}
