/**
 * Deterministic secp256k1 ECDSA over a 32-byte digest — RFC 6979 nonces (no extra entropy), low-S,
 * recovery bit — producing exactly viem's `sign` output (r ‖ s ‖ v, v = 27/28; the tests check this
 * against viem on random keys and digests).
 *
 * The curve work is bitcoin-core's libsecp256k1 through tiny-secp256k1 (its WASM build): about three
 * times noble's speed, and the signature is the bulk of an order's signing cost.
 */
import { isPrivate, signRecoverable } from 'tiny-secp256k1';
import type { Hex } from 'viem';
import { hexToBytesInto } from './bytes.ts';

/** A signing key, validated once. Its value never appears in errors. */
export class Secp256k1Key {
  private readonly d = new Uint8Array(32);

  constructor(privateKey: Hex) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) throw new RangeError('expected a 32-byte hex private key (value not shown)');
    hexToBytesInto(privateKey, this.d, 0);
    if (!isPrivate(this.d)) throw new RangeError('private key out of range (value not shown)');
  }

  /** Signs a 32-byte digest: 0x r ‖ s ‖ v (27/28), low-S, RFC 6979. */
  sign(digest: Uint8Array): Hex {
    const { signature, recoveryId } = signRecoverable(digest, this.d);
    const hex = Buffer.from(signature.buffer, signature.byteOffset, 64).toString('hex');
    return `0x${hex}${recoveryId & 1 ? '1c' : '1b'}`;
  }
}
