/**
 * Deterministic secp256k1 ECDSA over a 32-byte digest — RFC 6979 nonces (HMAC-SHA256, no extra
 * entropy), low-S, recovery bit — producing exactly viem's `sign` output (r ‖ s ‖ v, v = 27/28;
 * the tests check this against viem on random keys and digests).
 *
 * Why not just viem/@noble: the base-point multiplication k·G dominates order signing. noble's
 * generic wNAF does ~66 projective additions per signature; here k·G is a fixed-base comb over a
 * table of affine points d·256^i·G (32 windows × 255 points, built once per process in ~0.1 s) —
 * 32 mixed Jacobian-affine additions per signature, always 32 (a zero digit adds into a dummy, like
 * noble's "fake" additions) — and the nonce HMACs run natively. No addition in the comb can hit the
 * doubling or inverse case: each addend's scalar d·256^i exceeds the partial sum's (< 256^i) and
 * every partial sum is below n.
 */
import { createHmac } from 'node:crypto';
import type { Hex } from 'viem';

const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;
const GX = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n;
const GY = 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n;

const mod = (a: bigint, m = P): bigint => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

/** a⁻¹ mod m (m prime, a ≠ 0 mod m): the plain extended Euclid, the reference for `invert`. */
export function invertSlow(a: bigint, m: bigint): bigint {
  let r0 = mod(a, m);
  let r1 = m;
  let s0 = 1n;
  let s1 = 0n;
  while (r1 !== 0n) {
    const q = r0 / r1;
    const r2 = r0 - q * r1;
    r0 = r1;
    r1 = r2;
    const s2 = s0 - q * s1;
    s0 = s1;
    s1 = s2;
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return mod(s0, m);
}

const LEHMER_BITS = 26; // cosequence entries and quotients stay < 2^26: every product is exact in a double

/**
 * a⁻¹ mod m (m prime, a ≠ 0 mod m): Lehmer's extended Euclid (Knuth 4.5.2 Algorithm L). The
 * quotients of ~26 steps come from the leading bits in doubles, then one 2×2 update of the bigints,
 * ~10× fewer bigint operations than the plain algorithm.
 */
export function invert(a: bigint, m: bigint): bigint {
  let u = m;
  let v = mod(a, m);
  let cu = 0n; // u ≡ cu·a (mod m)
  let cv = 1n; // v ≡ cv·a (mod m)
  while (v !== 0n) {
    const shift = Math.max(0, u.toString(16).length * 4 - LEHMER_BITS);
    const sh = BigInt(shift);
    let x = Number(u >> sh);
    let y = Number(v >> sh);
    let A = 1, B = 0, C = 0, D = 1;
    while (y + C !== 0 && y + D !== 0) {
      const q = Math.floor((x + A) / (y + C));
      if (q !== Math.floor((x + B) / (y + D))) break;
      let t = A - q * C; A = C; C = t;
      t = B - q * D; B = D; D = t;
      t = x - q * y; x = y; y = t;
    }
    if (B === 0) {
      const q = u / v;
      const r = u - q * v;
      u = v;
      v = r;
      const c = cu - q * cv;
      cu = cv;
      cv = c;
    } else {
      const bA = BigInt(A), bB = BigInt(B), bC = BigInt(C), bD = BigInt(D);
      const nu = bA * u + bB * v;
      const nv = bC * u + bD * v;
      u = nu;
      v = nv;
      const ncu = bA * cu + bB * cv;
      const ncv = bC * cu + bD * cv;
      cu = ncu;
      cv = ncv;
    }
  }
  if (u !== 1n) throw new RangeError('not invertible');
  return mod(cu, m);
}

type Jac = { x: bigint; y: bigint; z: bigint };
type Aff = { x: bigint; y: bigint };

const M256 = (1n << 256n) - 1n;
const C = 0x1000003d1n; // 2^256 mod P

/** x mod P for 0 ≤ x < 2^515 (P = 2^256 − C: fold the high half twice, subtract once). */
function red(x: bigint): bigint {
  let r = (x & M256) + (x >> 256n) * C;
  r = (r & M256) + (r >> 256n) * C;
  return r >= P ? r - P : r;
}

// Field elements stay in [0, P); differences get + P (or a multiple) so every input of `red` is ≥ 0.

function double(p: Jac): Jac {
  // dbl-2009-l (a = 0)
  const A = red(p.x * p.x);
  const B = red(p.y * p.y);
  const Cc = red(B * B);
  const t = p.x + B;
  const D = red(2n * (red(t * t) + 2n * P - A - Cc));
  const E = 3n * A;
  const F = red(E * E);
  const x = red(F + 2n * P - 2n * D);
  const y = red(E * (D - x + P) + 8n * (P - Cc));
  const z = red(2n * p.y * p.z);
  return { x, y, z };
}

/** Jacobian + affine (add-1998-cmo-2 with Z2 = 1): 8M + 3S. Not valid for P = ±Q (never used so). */
function madd(p: Jac, q: Aff): Jac {
  const z1z1 = red(p.z * p.z);
  const u2 = red(q.x * z1z1);
  const s2 = red(q.y * red(p.z * z1z1));
  const h = u2 - p.x + P;
  const r = s2 - p.y + P;
  const hh = red(h * h);
  const hhh = red(h * hh);
  const v = red(p.x * hh);
  const x = red(red(r * r) + 3n * P - hhh - 2n * v);
  const y = red(r * (v - x + P) + (P - p.y) * hhh);
  const z = red(p.z * h);
  return { x, y, z };
}

/** Affine form of Jacobian points with one inversion (Montgomery's trick). */
function normalize(points: readonly Jac[]): Aff[] {
  const prefix: bigint[] = [];
  let acc = 1n;
  for (const p of points) {
    prefix.push(acc);
    acc = red(acc * p.z);
  }
  let inv = invert(acc, P);
  const out: Aff[] = new Array(points.length);
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i]!;
    const zi = red(inv * prefix[i]!);
    inv = red(inv * p.z);
    const zi2 = red(zi * zi);
    out[i] = { x: red(p.x * zi2), y: red(p.y * red(zi2 * zi)) };
  }
  return out;
}

/** Comb window width: ceil(256 / W) additions per signature, (2^W − 1) points per window. */
const W = 8;
const WINDOWS = Math.ceil(256 / W);
const ROW = (1 << W) - 1;

let TABLE: Aff[][] | undefined;

/** table[i][d - 1] = d · 2^(W·i) · G, d = 1..2^W − 1. */
function table(): Aff[][] {
  if (TABLE) return TABLE;
  const t: Aff[][] = [];
  let base: Aff = { x: GX, y: GY };
  for (let i = 0; i < WINDOWS; i++) {
    const b = base;
    const jac: Jac[] = [{ x: b.x, y: b.y, z: 1n }, double({ x: b.x, y: b.y, z: 1n })];
    for (let d = 3; d <= ROW; d++) jac.push(madd(jac[d - 2]!, b));
    let next: Jac = { x: b.x, y: b.y, z: 1n };
    for (let k = 0; k < W; k++) next = double(next);
    const aff = normalize([...jac, next]);
    base = aff.pop()!;
    t.push(aff);
  }
  TABLE = t;
  return t;
}

/** k·G in affine coordinates, 0 < k < n. */
export function mulG(k: bigint): Aff {
  const t = table();
  const bits = k.toString(2).padStart(WINDOWS * W, '0');
  let acc: Jac | undefined;
  let dummy: Jac = { x: GX, y: GY, z: 1n };
  for (let i = 0; i < WINDOWS; i++) {
    const end = bits.length - i * W;
    const d = parseInt(bits.slice(end - W, end), 2);
    const row = t[i]!;
    if (d === 0) {
      dummy = madd(dummy, row[(i * 37) % ROW]!); // keep the work per window uniform
      continue;
    }
    const q = row[d - 1]!;
    acc = acc ? madd(acc, q) : { x: q.x, y: q.y, z: 1n };
  }
  if (!acc) throw new RangeError('scalar is zero');
  return normalize([acc])[0]!;
}

const hex32 = (v: bigint) => v.toString(16).padStart(64, '0');

function hmac(key: Buffer, ...parts: (Buffer | Uint8Array)[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

const BYTE0 = Buffer.from([0]);
const BYTE1 = Buffer.from([1]);

/** A signing key, validated once. Its value never appears in errors. */
export class Secp256k1Key {
  private readonly d: bigint;
  private readonly dBytes: Buffer;

  constructor(privateKey: Hex) {
    const d = BigInt(privateKey);
    if (d <= 0n || d >= N) throw new RangeError('private key out of range (value not shown)');
    this.d = d;
    this.dBytes = Buffer.from(hex32(d), 'hex');
  }

  /** Builds the comb table now instead of on the first signature. */
  static warmUp(): void {
    table();
  }

  /** Signs a 32-byte digest: 0x r ‖ s ‖ v (27/28), low-S, RFC 6979. */
  sign(digest: Uint8Array): Hex {
    const z = mod(BigInt(`0x${Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('hex')}`), N);
    const h1 = Buffer.from(hex32(z), 'hex');
    let v: Buffer = Buffer.alloc(32, 1);
    let k: Buffer = Buffer.alloc(32, 0);
    k = hmac(k, v, BYTE0, this.dBytes, h1);
    v = hmac(k, v);
    k = hmac(k, v, BYTE1, this.dBytes, h1);
    v = hmac(k, v);
    for (;;) {
      v = hmac(k, v);
      const kn = BigInt(`0x${v.toString('hex')}`);
      if (kn > 0n && kn < N) {
        const sig = this.trySign(kn, z);
        if (sig) return sig;
      }
      k = hmac(k, v, BYTE0);
      v = hmac(k, v);
    }
  }

  private trySign(k: bigint, z: bigint): Hex | undefined {
    const R = mulG(k);
    const r = R.x % N;
    if (r === 0n) return undefined;
    let s = mod(invert(k, N) * mod(z + r * this.d, N), N);
    if (s === 0n) return undefined;
    let odd = (R.y & 1n) === 1n;
    if (s > HALF_N) {
      s = N - s;
      odd = !odd;
    }
    return `0x${hex32(r)}${hex32(s)}${odd ? '1c' : '1b'}`;
  }
}
