/**
 * The ledger's writer thread (node:worker_threads): owns the one read-write connection, so the
 * SQLite work of a group commit runs beside the engine thread. Plain JavaScript with no TypeScript
 * imports, so it loads the same under node, tsx and vitest; sqlite-ledger.ts (WriterThread) is the
 * other side of the protocol and has the contract.
 *
 * Protocol (messages arrive in order on parentPort):
 *   { op: 'rows', rows: flat[], tokens }
 *                                      stream: insert into the open group transaction (BEGIN if none);
 *                                      no answer. A failure rolls the group back and is remembered.
 *   { op: 'commit', id, rows, tokens, restart, extra }
 *                                      insert the rest, run `extra`, COMMIT; answer. `restart` drops
 *                                      whatever group state there was (a retry resends every row and
 *                                      every dictionary row of the group).
 *   { op: 'walCheckpoint', id }        PRAGMA wal_checkpoint(PASSIVE); answer.
 *   { op: 'close', id }                close the connection; answer; the thread then ends.
 * `flat` is one array of `seq, type, token, at, payload` × n rows (`token`: the dictionary id or null);
 * `tokens` is one array of `id, token_id` × the group's new dictionary rows, inserted before the
 * rows (the engine thread assigns the ids: no lookup here). Each answer is posted on
 * `replyPort`, then its id is stored in signal[0] and notified: the engine thread waits there.
 * signal[1] = 1 marks the thread dead (uncaught error): the waiter stops waiting and fails the ledger.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, createSql, pageSize, synchronous, maxSizeBytes, chunk, signalBuffer, replyPort } = workerData;
const signal = new Int32Array(signalBuffer);
const COLUMNS = 5;

function answer(id, body) {
  replyPort.postMessage({ id, ...body });
  Atomics.store(signal, 0, id);
  Atomics.notify(signal, 0);
}

const describe = (err) => ({ message: String(err?.message ?? err), code: typeof err?.code === 'string' ? err.code : undefined });

function die(err) {
  try {
    replyPort.postMessage({ id: -1, ok: false, error: describe(err) });
  } finally {
    Atomics.store(signal, 1, 1);
    Atomics.notify(signal, 0);
  }
}
process.on('uncaughtException', (err) => {
  die(err);
  process.exit(1);
});

let db;
try {
  db = new Database(file);
  if (createSql) db.pragma(`page_size = ${pageSize}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('cache_size = -65536');
  if (createSql) db.exec(`BEGIN; ${createSql} COMMIT;`);
  if (maxSizeBytes !== undefined) {
    db.pragma(`max_page_count = ${Math.max(1, Math.floor(maxSizeBytes / db.pragma('page_size', { simple: true })))}`);
  }
} catch (err) {
  try {
    db?.close();
  } catch {
    // nothing more to release
  }
  answer(1, { ok: false, error: describe(err) });
  parentPort.close();
  db = undefined;
}

if (db) {
  const rowsSql = (n) => `INSERT INTO events (seq, type, token, at, payload) VALUES ${Array(n).fill('(?, ?, ?, ?, ?)').join(', ')}`;
  /** Insert statements by row count: full chunks use one, a group's tail its own (at most `chunk` of them). */
  const inserts = new Map();
  const insertFor = (n) => {
    let s = inserts.get(n);
    if (!s) inserts.set(n, (s = db.prepare(rowsSql(n))));
    return s;
  };
  const stmts = {
    begin: db.prepare('BEGIN'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    insertToken: db.prepare('INSERT INTO tokens (id, token_id) VALUES (?, ?)'),
    latestCheckpoint: db.prepare('SELECT seq FROM checkpoints ORDER BY seq DESC LIMIT 1'),
    upsertCheckpoint: db.prepare('INSERT OR REPLACE INTO checkpoints (seq, at, state) VALUES (?, ?, ?)'),
    insertGap: db.prepare('INSERT INTO gaps (channel, reason, detected_at, detected_seq) VALUES (?, ?, ?, ?)'),
    resolveGaps: db.prepare('UPDATE gaps SET resolved_at = ?, resolved_by_seq = ?, resolution = ? WHERE resolved_at IS NULL'),
    pruneCheckpoints: db.prepare('DELETE FROM checkpoints WHERE seq NOT IN (SELECT seq FROM checkpoints ORDER BY seq DESC LIMIT ?)'),
    pruneGaps: db.prepare('DELETE FROM gaps WHERE resolved_at IS NOT NULL AND resolved_at < ?'),
    pruneEvents: db.prepare('DELETE FROM events WHERE seq <= ? AND at < ?'),
  };
  insertFor(chunk);

  /** The error that ended the current group early (its transaction is already rolled back). */
  let groupError;

  const insert = (flats, tokens) => {
    if (!db.inTransaction) stmts.begin.run();
    for (let i = 0; i < tokens.length; i += 2) stmts.insertToken.run(tokens[i], tokens[i + 1]);
    for (const flat of flats) if (flat.length > 0) insertFor(flat.length / COLUMNS).run(flat);
  };
  const rollback = () => {
    if (db.inTransaction) stmts.rollback.run();
  };

  const runExtra = (extra) => {
    switch (extra?.kind) {
      case undefined:
        return undefined;
      case 'checkpoint':
        stmts.upsertCheckpoint.run(extra.seq, extra.at, extra.state);
        return undefined;
      case 'gap':
        return Number(stmts.insertGap.run(extra.channel, extra.reason, extra.detectedAt, extra.detectedSeq).lastInsertRowid);
      case 'resolve':
        return stmts.resolveGaps.run(extra.resolvedAt, extra.resolvedBySeq, extra.resolution).changes;
      case 'compact': {
        const cp = stmts.latestCheckpoint.get();
        stmts.pruneCheckpoints.run(extra.keepCheckpoints);
        stmts.pruneGaps.run(extra.beforeAt);
        return cp ? stmts.pruneEvents.run(cp.seq, extra.beforeAt).changes : 0;
      }
      default:
        throw new Error(`writer thread: unknown extra ${String(extra.kind)}`);
    }
  };

  parentPort.on('message', (m) => {
    switch (m.op) {
      case 'rows':
        if (groupError) return;
        try {
          insert(m.rows, m.tokens);
        } catch (err) {
          groupError = err;
          try {
            rollback();
          } catch {
            // the connection rolls back by itself when it cannot
          }
        }
        return;
      case 'commit': {
        if (m.restart) {
          groupError = undefined;
          rollback();
        }
        if (groupError) {
          const err = groupError;
          groupError = undefined;
          answer(m.id, { ok: false, error: describe(err) });
          return;
        }
        try {
          insert(m.rows, m.tokens);
          const result = runExtra(m.extra);
          stmts.commit.run();
          answer(m.id, { ok: true, result });
        } catch (err) {
          try {
            rollback();
          } catch {
            // as above
          }
          answer(m.id, { ok: false, error: describe(err) });
        }
        return;
      }
      case 'walCheckpoint':
        try {
          db.pragma('wal_checkpoint(PASSIVE)');
          answer(m.id, { ok: true });
        } catch (err) {
          answer(m.id, { ok: false, error: describe(err) });
        }
        return;
      case 'close': {
        let error;
        try {
          rollback();
          db.close();
        } catch (err) {
          error = describe(err);
        }
        answer(m.id, error ? { ok: false, error } : { ok: true });
        parentPort.close();
        return;
      }
      default:
        // A message this code does not know is a bug on the other side: end the thread loudly.
        throw new Error(`writer thread: unknown message ${JSON.stringify(m?.op)}`);
    }
  });
  answer(1, { ok: true });
}
