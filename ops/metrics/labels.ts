/**
 * Bounded label values. Every label value a metric carries comes through a `BoundedLabel`: the
 * first `cap` distinct values are kept, later ones collapse into "other" (and are counted), so a
 * misbehaving feed can never blow up the series count. Reasons are normalised to a short code.
 */

export const OVERFLOW_VALUE = 'other';

/** The risk reason catalog (policies and the engine); other reasons still pass, up to the cap. */
export const KNOWN_RISK_REASONS: readonly string[] = [
  'LIMIT_REACHED', 'NOTHING_TO_SELL', 'DRIFT', 'SOURCE_FALLBACK', 'SOURCE_UNAVAILABLE', 'IMPOSSIBLE_BALANCE',
  'WS_GAP_UNRESOLVED', 'LEDGER_FAILED', 'AWAITING_SNAPSHOT',
];

/**
 * A free-form reason or code → a bounded, Prometheus-friendly code: upper case, runs of anything but
 * letters and digits become "_", at most 48 characters; empty becomes "UNKNOWN".
 *   "not enough balance / allowance" → "NOT_ENOUGH_BALANCE_ALLOWANCE"
 */
export function normaliseReason(raw: string | undefined | null): string {
  if (raw === undefined || raw === null) return 'UNKNOWN';
  const code = String(raw).toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 48).replace(/_+$/, '');
  return code === '' ? 'UNKNOWN' : code;
}

export class BoundedLabel {
  private readonly seen = new Set<string>();
  /** How many times a value was folded into "other". */
  overflowed = 0;

  constructor(readonly name: string, readonly cap: number, preset: readonly string[] = []) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`expected a positive integer cap for label ${name}, got ${cap}`);
    for (const v of preset) if (this.seen.size < cap) this.seen.add(v);
  }

  /** The value to put on the series: `value` while it fits under the cap, "other" beyond it. */
  value(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size < this.cap) {
      this.seen.add(value);
      return value;
    }
    this.overflowed++;
    return OVERFLOW_VALUE;
  }

  /** Whether `value` already has its own series (does not admit it). */
  has(value: string): boolean {
    return this.seen.has(value);
  }

  get size(): number {
    return this.seen.size;
  }
}
