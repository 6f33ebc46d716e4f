/**
 * One engine per funder: two bots trading one wallet double-order (each sees the other's orders as
 * foreign and its fills as drift). `polyquote run` takes a lock named after the funder in the
 * machine's temp directory; a second run on the same wallet refuses to start with a clear message.
 * A lock left by a killed process (dead pid) is taken over.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { PolyquoteError, errorMessage } from '../../core/errors.ts';
import { LockFile } from '../../plugins/ledger/sqlite/lock-file.ts';

export class FunderLock {
  private constructor(private readonly lock: LockFile, readonly funder: string) {}

  /** One lock per (funder, venue): the same wallet on two separate venues (two simulators) is no conflict. */
  static acquire(funder: string, venue: string, dir = path.join(os.tmpdir(), 'polyquote-funders')): FunderLock {
    mkdirSync(dir, { recursive: true });
    const venueTag = createHash('sha256').update(venue).digest('hex').slice(0, 12);
    const base = path.join(dir, `funder-${funder.toLowerCase()}-${venueTag}`);
    try {
      return new FunderLock(LockFile.acquire(base), funder);
    } catch (err) {
      throw new PolyquoteError('FUNDER_IN_USE', `another polyquote run is already trading funder ${funder} on ${venue} from this machine (${errorMessage(err)}); one engine per wallet`, { errorClass: 'fatal', cause: err });
    }
  }

  release(): void {
    this.lock.release();
  }
}
