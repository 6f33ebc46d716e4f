/**
 * Command-line value checks shared by the commands: every bad flag is a UsageError (exit 2) naming
 * the flag and what it expected, never a stack trace, a loop or a silently ignored value.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import { parseAt } from '../core/tape-codec.ts';

/** A decimal number flag within [min, max]; `undefined` when absent (the caller's default applies). */
export function numberFlag(value: string | undefined, flag: string, min: number, max: number, opts: { integer?: boolean; exclusiveMin?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const ok = /^\d+(\.\d+)?$/.test(value.trim());
  const n = ok ? Number(value) : NaN;
  const low = opts.exclusiveMin ? n > min : n >= min;
  if (!ok || !Number.isFinite(n) || !low || n > max || (opts.integer && !Number.isInteger(n))) {
    const range = `${opts.exclusiveMin ? 'above' : 'from'} ${min} ${opts.exclusiveMin ? 'up to' : 'to'} ${max}`;
    throw new UsageError(`expected ${flag} to be ${opts.integer ? 'an integer' : 'a number'} ${range}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** An input file flag: it must exist and be a regular file. */
export function inputFile(file: string, flag: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UsageError(`${flag} file not found: ${file}`);
  }
  if (!st.isFile()) throw new UsageError(`expected ${flag} to be a regular file, got a ${st.isDirectory() ? 'directory' : 'special file'}: ${file}`);
  return file;
}

/** A time flag (`--from`, `--to`): ISO-8601 UTC or epoch milliseconds. */
export function timeFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseAt(/^\d+$/.test(value) ? Number(value) : value, flag);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * An output file flag: its directory must exist, it must not be a directory, and it must not be
 * any of `protectedFiles` (the ledger and the files it holds open) under any name — same path,
 * symlink or hard link (compared by device and inode).
 */
export function outputFile(file: string, flag: string, protectedFiles: readonly string[]): string {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch {
    throw new UsageError(`expected the directory of ${flag} to exist, got ${dir} which does not`);
  }
  if (!dirStat.isDirectory()) throw new UsageError(`expected the directory of ${flag} to be a directory: ${dir}`);
  const target = statOrUndefined(abs);
  if (target?.isDirectory()) throw new UsageError(`expected ${flag} to be a file, got a directory: ${file}`);
  const real = realTarget(abs);
  for (const p of protectedFiles) {
    const pAbs = path.resolve(p);
    const st = statOrUndefined(pAbs);
    const same = real === realTarget(pAbs) || (target && st && target.dev === st.dev && target.ino === st.ino);
    if (same) throw new UsageError(`refusing to write ${flag} ${file}: it is the ledger's own file ${pAbs}; choose another path`);
  }
  return abs;
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** The real path of a file, or of its directory joined with its name when it does not exist yet. */
function realTarget(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(p)), path.basename(p));
    } catch {
      return p;
    }
  }
}
