/** Small byte helpers for hand-rolled ABI encoding (no per-call allocation where it matters). */
import { keccak256, type Hex } from 'viem';

export const BYTES32_ZERO: Hex = '0x0000000000000000000000000000000000000000000000000000000000000000';

const HEX_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUES[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUES[65 + i] = 10 + i;
  HEX_VALUES[97 + i] = 10 + i;
}
const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Writes the bytes of a 0x-hex string into `out` at `offset`. */
export function hexToBytesInto(hex: string, out: Uint8Array, offset: number): void {
  const n = (hex.length - 2) >> 1;
  for (let i = 0; i < n; i++) {
    const hi = HEX_VALUES[hex.charCodeAt(2 + 2 * i)] ?? -1;
    const lo = HEX_VALUES[hex.charCodeAt(3 + 2 * i)] ?? -1;
    if (hi < 0 || lo < 0) throw new TypeError(`invalid hex at byte ${i}`);
    out[offset + i] = (hi << 4) | lo;
  }
}

/** Writes a non-negative bigint as a 32-byte big-endian word at `offset`. */
export function writeUint(out: Uint8Array, offset: number, value: bigint): void {
  let v = value;
  for (let i = 31; i >= 0; i--) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

export function bytesToHex(bytes: Uint8Array): Hex {
  let s = '0x';
  for (let i = 0; i < bytes.length; i++) s += BYTE_HEX[bytes[i]!]!;
  return s as Hex;
}

/** keccak256 of bytes as 0x-hex. */
export function keccakBytes(bytes: Uint8Array): Hex {
  return keccak256(bytes);
}
