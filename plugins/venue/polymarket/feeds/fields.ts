/**
 * Field readers shared by the channel parsers. Each one throws a `FieldError` naming the field and
 * where it was found ("expected X, got Y at user frame[0].maker_orders[1].price"); the parsers turn
 * it into a counted `FeedProblem` and go on with the next event, so bad data never escapes a feed.
 */
import { isPlainAmount, parseMicros, parseNonNegativeMicros, shortPlainMicros, type Micros } from '../../../../core/amounts.ts';
import type { Side } from '../../../../core/events.ts';
import { isTokenId } from '../../../../core/token-id.ts';

/** One thing a feed could not use: counted and reported, never thrown out of a parser. */
export interface FeedProblem {
  /** Stable code: TEXT_FRAME, NOT_JSON, NOT_AN_OBJECT, UNKNOWN_EVENT, INVALID_FIELD, UNKNOWN_STATUS, UNATTRIBUTED, … */
  readonly code: string;
  /** "expected …, got … at <where>". */
  readonly message: string;
  /** Where in the frame: "user frame[1].maker_orders[0].matched_amount". */
  readonly where: string;
  /** The event type concerned, when known. */
  readonly eventType?: string;
  /** True when an event (or the whole frame) was dropped; false when it was kept with a detail missing. */
  readonly dropped: boolean;
}

export class FieldError extends Error {
  override name = 'FieldError';
  constructor(readonly code: string, message: string, readonly where: string) {
    super(message);
  }
}

export type Obj = Record<string, unknown>;

const MAX_UINT256 = (1n << 256n) - 1n;

/** Short, bounded text of a value for messages (a hostile frame cannot blow up a log line). */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let s: string;
  try {
    s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function invalid(what: string, value: unknown, where: string): FieldError {
  return new FieldError('INVALID_FIELD', `expected ${what}, got ${show(value)} at ${where}`, where);
}

/** A required non-empty string. */
export function reqString(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) throw invalid(`a non-empty string ${key}`, v, `${where}.${key}`);
  return v;
}

/** An optional string: undefined when absent, null or empty; an error when of another type. */
export function optString(o: Obj, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalid(`a string ${key}`, v, `${where}.${key}`);
  return v;
}

/** Canonical uint256 decimal text of a token id ("007" → "7"); hex, signs, floats and overflow rejected. */
export function canonicalTokenId(v: unknown, where: string): string {
  if (isTokenId(v)) return v;
  if (typeof v !== 'string' || !/^0*\d{1,78}$/.test(v)) throw invalid('a uint256 decimal token id', v, where);
  const n = BigInt(v);
  if (n > MAX_UINT256) throw invalid('a uint256 decimal token id', v, where);
  return n.toString();
}

/** Whether a value is a token id already in canonical spelling (core/token-id.ts). */
export const isCanonicalTokenId = isTokenId;

/** A field's token id; the place of an error is built only when there is one. */
function tokenIdAt(v: unknown, key: string, where: string): string {
  return isTokenId(v) ? v : canonicalTokenId(v, `${where}.${key}`);
}

export function reqTokenId(o: Obj, key: string, where: string): string {
  return tokenIdAt(o[key], key, where);
}

export function optTokenId(o: Obj, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  return tokenIdAt(v, key, where);
}

/** Order ids are EIP-712 hashes: 0x-hex spelled in lower case, whatever case the venue used. Other ids pass as given. */
export function canonicalOrderId(id: string): string {
  return /^0x[0-9a-fA-F]+$/.test(id) ? id.toLowerCase() : id;
}

/** A required non-negative decimal amount (string, or JSON number through its shortest form) in micros. */
export function reqMicros(o: Obj, key: string, where: string): Micros {
  const v = o[key];
  const short = shortPlainMicros(v);
  if (short !== undefined) return short;
  if (isPlainAmount(v)) return parseMicros(v, key); // cannot fail, so the error's place is not built
  if (typeof v !== 'string' && typeof v !== 'number') throw invalid(`a decimal ${key}`, v, `${where}.${key}`);
  try {
    return parseNonNegativeMicros(v, `${where}.${key}`);
  } catch (err) {
    throw new FieldError('INVALID_FIELD', (err as Error).message, `${where}.${key}`);
  }
}

export function optMicros(o: Obj, key: string, where: string): Micros | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  return reqMicros(o, key, where);
}

/** A price must lie in [0, 1]. */
export function reqPrice(o: Obj, key: string, where: string): Micros {
  const p = reqMicros(o, key, where);
  if (p > 1_000_000n) throw invalid(`a price between 0 and 1 for ${key}`, o[key], `${where}.${key}`);
  return p;
}

export function optPrice(o: Obj, key: string, where: string): Micros | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  return reqPrice(o, key, where);
}

export function parseSide(v: unknown, where: string): Side {
  if (typeof v === 'string') {
    const u = v.toUpperCase();
    if (u === 'BUY' || u === 'SELL') return u;
  }
  throw invalid('side BUY or SELL', v, where);
}

export function optSide(o: Obj, key: string, where: string): Side | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  return parseSide(v, `${where}.${key}`);
}

export const oppositeSide = (s: Side): Side => (s === 'BUY' ? 'SELL' : 'BUY');

/**
 * Venue time in epoch ms from a `timestamp` field: digits (ms; ten digits or fewer are seconds) or
 * an ISO date. Undefined when absent; a FieldError when present but unreadable.
 */
export function optTimestampMs(o: Obj, key: string, where: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v < 1e11 ? v * 1000 : v;
  if (typeof v === 'string') {
    // Epoch ms as the feed writes them (13 digits): read digit by digit, exact below 16 digits.
    const short = shortDigits(v);
    if (short >= 0) return short < 1e11 ? short * 1000 : short;
    if (/^\d{1,16}$/.test(v)) {
      const n = Number(v);
      return n < 1e11 ? n * 1000 : n;
    }
    if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
      const t = Date.parse(v);
      if (Number.isFinite(t)) return t;
    }
  }
  throw invalid(`a timestamp ${key} (epoch ms, seconds or ISO date)`, v, `${where}.${key}`);
}

/** The value of 1–15 ASCII digits (exact in a double), else -1. */
function shortDigits(s: string): number {
  const n = s.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** Lower-case address comparison: EIP-55 checksummed and lower-case spellings are the same funder. */
export function sameAddress(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.length > 0 && a.toLowerCase() === b.toLowerCase();
}

/** Splits a frame into its events: an object is one event, an array is many. */
export type FrameSplit =
  | { kind: 'events'; items: readonly unknown[]; isArray: boolean }
  | { kind: 'problem'; problem: FeedProblem };

/** Decodes a raw text frame (or an already-parsed value, as a tape carries it) into its events. */
export function splitFrame(raw: unknown, label: string): FrameSplit {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (!text.startsWith('{') && !text.startsWith('[')) {
      return { kind: 'problem', problem: { code: 'TEXT_FRAME', message: `expected a JSON frame, got text ${show(text)} at ${label}`, where: label, dropped: true } };
    }
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { kind: 'problem', problem: { code: 'NOT_JSON', message: `expected JSON, got ${show(text)} (${(err as Error).message}) at ${label}`, where: label, dropped: true } };
    }
  }
  if (Array.isArray(value)) return { kind: 'events', items: value, isArray: true };
  if (isObj(value)) return { kind: 'events', items: [value], isArray: false };
  return { kind: 'problem', problem: { code: 'NOT_AN_OBJECT', message: `expected a JSON object or array, got ${show(value)} at ${label}`, where: label, dropped: true } };
}

/** Keeps a problem readable: a huge value inside the text is cut, the place (" at …") is kept. */
function bounded(message: string, where: string): string {
  if (message.length <= 300) return message;
  return `${message.slice(0, 240)}… at ${where.slice(0, 50)}`;
}

/** Turns whatever a per-event parser threw into a problem (never rethrows). */
export function problemFrom(err: unknown, where: string, eventType: string | undefined, dropped = true): FeedProblem {
  if (err instanceof FieldError) return { code: err.code, message: bounded(err.message, err.where), where: err.where, dropped, ...(eventType ? { eventType } : {}) };
  return { code: 'PARSER_ERROR', message: `unexpected parser failure ${show(String(err))} at ${where}`, where, dropped, ...(eventType ? { eventType } : {}) };
}
