/**
 * Seeded mutations for the bad-input fuzz test: a JSON value with one field replaced, deleted or
 * retyped (recursively, at any depth), text truncated or with bytes flipped. Deterministic per PRNG.
 */
import { Prng } from '../../sim/prng.ts';

export const NASTY: readonly unknown[] = [
  null, true, false, 0, -1, 1e308, -0, 0.1, Number.MAX_SAFE_INTEGER, '', ' ', '-1', 'NaN', 'Infinity', '1e3', '0x10', '1.5.5', '0.0000001',
  (2n ** 256n).toString(), '٣', 'BUY', 'SELL', 'MATCHED', 'FAILED', [], {}, [[]], { a: 1 }, 'x'.repeat(5000), '__proto__', '{"nested":1}',
];

export class Mutator {
  constructor(readonly r: Prng) {}

  int(n: number): number {
    return Math.floor(this.r.next() * n);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  /** A random JSON value, shallow-ish. */
  randomValue(depth = 0): unknown {
    const k = this.int(depth > 2 ? 5 : 8);
    if (k === 0) return this.pick(NASTY);
    if (k === 1) return this.r.next() * 10 ** this.int(12) * (this.r.next() < 0.2 ? -1 : 1);
    if (k === 2) return String(this.r.next() * 10 ** this.int(6)).slice(0, 1 + this.int(12));
    if (k === 3) return Array.from({ length: this.int(6) }, () => String.fromCharCode(32 + this.int(95))).join('');
    if (k === 4) return this.int(2) === 0;
    if (k === 5) return Array.from({ length: this.int(4) }, () => this.randomValue(depth + 1));
    if (k === 6) return Object.fromEntries(Array.from({ length: this.int(4) }, (_, i) => [`k${i}`, this.randomValue(depth + 1)]));
    return null;
  }

  /** A deep copy of `v` with 1–3 mutations at random paths. */
  mutateJson<T>(v: T): T {
    let copy = structuredClone(v) as unknown;
    const n = 1 + this.int(3);
    for (let i = 0; i < n; i++) copy = this.mutateOnce(copy);
    return copy as T;
  }

  private mutateOnce(v: unknown): unknown {
    if (v === null || typeof v !== 'object') return this.int(3) === 0 ? this.randomValue() : this.pick(NASTY);
    const container = v as Record<string, unknown>;
    const keys = Object.keys(container);
    if (keys.length === 0 || this.int(8) === 0) return this.int(2) === 0 ? this.randomValue() : v;
    const key = this.pick(keys);
    const child = container[key];
    const action = this.int(5);
    if (action === 0 && !Array.isArray(v)) delete container[key];
    else if (action === 1 && child !== null && typeof child === 'object') container[key] = this.mutateOnce(child);
    else if (action === 2) container[key] = this.pick(NASTY);
    else if (action === 3 && Array.isArray(v)) (v as unknown[]).push(this.randomValue());
    else container[key] = this.randomValue();
    return v;
  }

  /** Text damaged at the byte level: truncated, a character flipped, or a fragment duplicated. */
  mutateText(s: string): string {
    if (s.length === 0) return this.randomValue() as string;
    const k = this.int(4);
    const at = this.int(s.length);
    if (k === 0) return s.slice(0, at);
    if (k === 1) return s.slice(0, at) + String.fromCharCode(this.int(128)) + s.slice(at + 1);
    if (k === 2) return s.slice(0, at) + s.slice(at, at + 1 + this.int(20)).repeat(2) + s.slice(at);
    return s.slice(0, at) + this.pick(['"', '{', ']', ',', ':', '\n', '\u0000', '- ', '  ', '#']) + s.slice(at);
  }
}

export function mutator(seed: number | string, concern: string): Mutator {
  return new Mutator(Prng.for(seed, concern));
}
