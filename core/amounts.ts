/**
 * Exact share and price amounts.
 *
 * Every size and price inside polyquote is a bigint of micro-units (6 decimals, the scale of
 * Polymarket outcome tokens and pUSD). Decimal strings are parsed digit by digit, so no amount ever
 * passes through a binary fraction on its way in; JSON numbers are accepted only through their
 * shortest decimal representation, which is exact for every value JSON can carry with ≤ 6 decimals.
 * The hot paths (short plain spellings in, amounts below 2^53 micros out) count micro-units as
 * integers in a double, which holds every integer below 2^53 exactly: whole micros only, never a
 * fraction, and each step checked to stay below that bound (test/core/fast-paths.test.ts holds them
 * to the bigint code).
 */
import { PolyquoteError } from './errors.ts';

/** An amount in micro-units: 1 share = 1_000_000n. */
export type Micros = bigint;

export const MICROS_PER_UNIT = 1_000_000n;
export const DECIMALS = 6;

const MAX_SAFE_MICROS = BigInt(Number.MAX_SAFE_INTEGER);
/** Every price on a tick of 0.001 or coarser, 0 to 1 (the feed's prices), written once: "0", "0.001" … "0.45" … "1". */
const PRICE_TEXT = Array.from({ length: 1001 }, (_, i) => (i === 1000 ? '1' : i === 0 ? '0' : `0.${String(i).padStart(3, '0').replace(/0+$/, '')}`));
/** The same prices as BigInts, made once: a feed's price is read without allocating one (a BigInt is immutable). */
const PRICE_MICROS = Array.from({ length: 1001 }, (_, i) => BigInt(i * 1_000));
/** ".01" … ".99" without trailing zeros (".1", not ".10"), by hundredths. */
const CENTS = Array.from({ length: 100 }, (_, i) => `.${String(i).padStart(2, '0')}`.replace(/0$/, ''));
const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d+))?$/;
/** Unsigned, at most 18 whole digits and 6 decimals: parsed without the general path's regex groups. */
const PLAIN_RE = /^\d{1,18}(?:\.\d{1,6})?$/;

/** Whether parseMicros takes its fast path for `value` (which then cannot fail). */
export const isPlainAmount = (value: unknown): value is string => typeof value === 'string' && PLAIN_RE.test(value);
/** Longest amount text accepted: a million digits would stall BigInt parsing for nothing. */
export const MAX_AMOUNT_CHARS = 64;

/** 10^k for the places a short fraction is padded by (exact doubles). */
const PAD = [1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];

/**
 * The micros of a plain spelling short enough to add up exactly in a double ("25", "0.45",
 * "100.0": at most 15 digits, at most 6 of them decimals); undefined for anything else, which
 * the general path then reads. Every step is an integer below 2^53, so nothing is rounded.
 */
export function shortPlainMicros(value: unknown): Micros | undefined {
  if (typeof value !== 'string') return undefined;
  const n = value.length;
  if (n === 0 || n > 16) return undefined;
  let acc = 0;
  let i = 0;
  let c = 0;
  for (; i < n; i++) {
    c = value.charCodeAt(i);
    if (c < 48 || c > 57) break;
    acc = acc * 10 + (c - 48);
  }
  if (i === 0) return undefined;
  let decimals = 0;
  if (i < n) {
    // Only a dot followed by 1–6 digits may come after the whole part.
    if (c !== 46 || i === n - 1 || n - i - 1 > DECIMALS) return undefined;
    for (i++; i < n; i++) {
      c = value.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
      acc = acc * 10 + (c - 48);
      decimals++;
    }
  } else if (n > 15) return undefined;
  const micros = acc * PAD[decimals]!;
  if (micros <= 1_000_000 && micros % 1_000 === 0) return PRICE_MICROS[micros / 1_000];
  return micros <= Number.MAX_SAFE_INTEGER ? BigInt(micros) : undefined;
}

/** Parses a decimal string or JSON number into micro-units; throws naming `where` on bad input. */
export function parseMicros(value: unknown, where: string): Micros {
  // The feed's common spelling, short: integer arithmetic on doubles, one BigInt of the result.
  const short = shortPlainMicros(value);
  if (short !== undefined) return short;
  // Long plain spellings: one BigInt of the digits, scaled by padding.
  if (isPlainAmount(value)) {
    const dot = value.indexOf('.');
    if (dot < 0) return BigInt(value) * MICROS_PER_UNIT;
    const frac = value.slice(dot + 1);
    return BigInt(value.slice(0, dot) + (frac.length === DECIMALS ? frac : frac.padEnd(DECIMALS, '0')));
  }
  let text: string;
  if (typeof value === 'string') {
    if (value.length > MAX_AMOUNT_CHARS) throw new PolyquoteError('AMOUNT_INVALID', `expected an amount of at most ${MAX_AMOUNT_CHARS} characters, got ${value.length} at ${where}`);
    text = value.trim();
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw amountError(value, where);
    text = numberToPlainString(value);
    // A double holds every decimal of ≤ 15 significant digits exactly; past that the JSON text may
    // already have been rounded (123456789012.123456 → …12.12346), so it is refused, never guessed.
    if (text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length > 15) {
      throw new PolyquoteError('AMOUNT_PRECISION', `expected a JSON number a double holds exactly (at most 15 significant digits), got ${text} at ${where}: write it as a decimal string`);
    }
  } else if (typeof value === 'bigint') return value * MICROS_PER_UNIT;
  else throw amountError(value, where);
  const m = DECIMAL_RE.exec(text);
  if (!m) throw amountError(value, where);
  const [, sign, whole, fracRaw = ''] = m;
  const frac = fracRaw.replace(/0+$/, '');
  if (frac.length > DECIMALS) {
    throw new PolyquoteError('AMOUNT_PRECISION', `expected at most ${DECIMALS} decimals, got ${describe(value)} at ${where}`);
  }
  const micros = BigInt(whole!) * MICROS_PER_UNIT + BigInt(frac.padEnd(DECIMALS, '0') || '0');
  return sign === '-' ? -micros : micros;
}

/** Like parseMicros but rejects negative values. */
export function parseNonNegativeMicros(value: unknown, where: string): Micros {
  const v = parseMicros(value, where);
  if (v < 0n) throw new PolyquoteError('AMOUNT_NEGATIVE', `expected a non-negative amount, got ${describe(value)} at ${where}`);
  return v;
}

/** A price's place on the 0.001 grid from 0 to 1 (0 … 1000), else -1: the index of the price tables. */
export function milliTick(price: Micros): number {
  if (price < 0n || price > 1_000_000n) return -1;
  const n = Number(price);
  return n % 1_000 === 0 ? n / 1_000 : -1;
}

/** Formats micro-units as a minimal decimal string ("12.5", "-0.000001", "3"). */
export function formatMicros(micros: Micros): string {
  // Amounts a double holds exactly (below 2^53 micros, ~9 billion shares) are cut up in doubles:
  // `%` is exact, and the whole part divides out exactly, so no digit is ever rounded.
  const tick = milliTick(micros);
  if (tick >= 0) return PRICE_TEXT[tick]!;
  if (micros <= MAX_SAFE_MICROS && micros >= -MAX_SAFE_MICROS) {
    const n = Number(micros);
    const abs = n < 0 ? -n : n;
    const frac = abs % 1_000_000;
    const whole = (abs - frac) / 1_000_000;
    const sign = n < 0 ? '-' : '';
    if (frac === 0) return `${sign}${whole}`;
    // Cent-priced amounts (the feed's ticks): the decimals from a table.
    if (frac % 10_000 === 0) return `${sign}${whole}${CENTS[frac / 10_000]}`;
    const digits = String(frac + 1_000_000); // "1" and the six decimals, zero-padded
    let end = 7;
    while (digits.charCodeAt(end - 1) === 48) end--;
    return `${sign}${whole}.${digits.slice(1, end)}`;
  }
  if (micros % MICROS_PER_UNIT === 0n) return (micros / MICROS_PER_UNIT).toString();
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  const whole = abs / MICROS_PER_UNIT;
  const frac = (abs % MICROS_PER_UNIT).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** For display and JSON output only: the nearest double to an exact amount. */
export function microsToNumber(micros: Micros): number {
  return Number(formatMicros(micros));
}

/** price × size, both in micros, rounded half away from zero to micros. */
export function mulMicros(a: Micros, b: Micros): Micros {
  // Below 2^53 the product is exact in a double (a correctly rounded product that stays below 2^53
  // was never rounded), and `%` and the division of a multiple of 10^6 are exact too: no binary
  // fraction, one BigInt made. PnL, reservations and reconciliation call this per fill.
  if (a <= MAX_SAFE_MICROS && a >= -MAX_SAFE_MICROS && b <= MAX_SAFE_MICROS && b >= -MAX_SAFE_MICROS) {
    const x = Number(a) * Number(b);
    const ax = x < 0 ? -x : x;
    if (ax < 9_007_199_254_740_992) {
      const rem = ax % 1_000_000;
      const q = (ax - rem) / 1_000_000 + (rem >= 500_000 ? 1 : 0);
      return BigInt(x < 0 ? -q : q);
    }
  }
  return mulMicrosBig(a, b);
}

/** mulMicros in bigint arithmetic only (any size). */
function mulMicrosBig(a: Micros, b: Micros): Micros {
  const p = a * b;
  const half = MICROS_PER_UNIT / 2n;
  return p >= 0n ? (p + half) / MICROS_PER_UNIT : -((-p + half) / MICROS_PER_UNIT);
}

/** a / b in micros, rounded half away from zero; b must be non-zero. */
export function divMicros(a: Micros, b: Micros): Micros {
  if (b === 0n) throw new PolyquoteError('DIVISION_BY_ZERO', 'divMicros by zero');
  const n = a * MICROS_PER_UNIT;
  const neg = n < 0n !== b < 0n;
  const an = n < 0n ? -n : n;
  const ab = b < 0n ? -b : b;
  const q = (an + ab / 2n) / ab;
  return neg ? -q : q;
}

export const absMicros = (v: Micros): Micros => (v < 0n ? -v : v);
export const minMicros = (a: Micros, b: Micros): Micros => (a < b ? a : b);
export const maxMicros = (a: Micros, b: Micros): Micros => (a > b ? a : b);

function numberToPlainString(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  // Exponent form (1e-7, 1e21): expand exactly from the shortest round-trip digits.
  const [mant, expStr] = s.toLowerCase().split('e') as [string, string];
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace(/^-/, '').replace('.', '');
  const pointPos = (mant.replace(/^-/, '').indexOf('.') === -1 ? mant.replace(/^-/, '').length : mant.replace(/^-/, '').indexOf('.')) + exp;
  let out: string;
  if (pointPos <= 0) out = `0.${'0'.repeat(-pointPos)}${digits}`;
  else if (pointPos >= digits.length) out = digits + '0'.repeat(pointPos - digits.length);
  else out = `${digits.slice(0, pointPos)}.${digits.slice(pointPos)}`;
  return (neg ? '-' : '') + out;
}

function amountError(value: unknown, where: string): PolyquoteError {
  return new PolyquoteError('AMOUNT_INVALID', `expected a decimal amount, got ${describe(value)} at ${where}`);
}

/** The value for an error message, bounded: a hostile input cannot blow up an error or log line. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
