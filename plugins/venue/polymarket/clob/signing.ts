/**
 * EIP-712 signing of Polymarket CTF Exchange V2 orders.
 *
 * The order id is the EIP-712 digest of the order (known before posting). Hashing is done by hand
 * on a preallocated buffer — domain separators and the type hash are computed once per signer — so
 * a signature costs one struct keccak, one digest keccak and one secp256k1 sign (RFC 6979,
 * deterministic: byte-identical to the official client for the same order). The EC signature
 * dominates the cost; ecdsa.ts does it with libsecp256k1 (tiny-secp256k1's WASM build). Per order
 * the signer only writes the words that change (salt, amounts, side, timestamp; the token id's word
 * is cached per id, metadata and builder are rewritten only when they change).
 *
 * Signature types: 0 EOA (maker = signer = the EOA), 1 POLY_PROXY and 2 POLY_GNOSIS_SAFE
 * (maker = funder, signer = EOA), 3 POLY_1271 deposit wallet (maker = signer = the wallet; the EOA
 * signs an ERC-7739 TypedDataSign wrapper and the signature carries
 * innerSig ‖ appDomainSeparator ‖ contentsHash ‖ typeString ‖ uint16(typeString length)).
 */
import { getAddress, stringToBytes, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Clock } from '../../../../core/clock.ts';
import { PolyquoteError } from '../../../../core/errors.ts';
import type { Side } from '../../../../core/events.ts';
import type { Micros } from '../../../../core/amounts.ts';
import { orderAmounts } from './amounts.ts';
import { BYTES32_ZERO, bytesToHex, hexToBytesInto, keccak, keccakBytes, writeSafeUint, writeUint } from './bytes.ts';
import { Secp256k1Key } from './ecdsa.ts';

export type SignatureType = 0 | 1 | 2 | 3;
export const SIGNATURE_TYPES = { EOA: 0, POLY_PROXY: 1, POLY_GNOSIS_SAFE: 2, POLY_1271: 3 } as const;

/** Polygon mainnet (137) and Amoy (80002) V2 exchanges. */
export const EXCHANGES: Readonly<Record<number, { readonly standard: Address; readonly negRisk: Address }>> = {
  137: { standard: '0xE111180000d2663C0091e4f400237545B87B996B', negRisk: '0xe2222d279d744050d28e00520010520000310F59' },
  80002: { standard: '0xE111180000d2663C0091e4f400237545B87B996B', negRisk: '0xe2222d279d744050d28e00520010520000310F59' },
};

export const ORDER_TYPE_STRING =
  'Order(uint256 salt,address maker,address signer,uint256 tokenId,uint256 makerAmount,uint256 takerAmount,uint8 side,uint8 signatureType,uint256 timestamp,bytes32 metadata,bytes32 builder)';
const TYPED_DATA_SIGN_TYPE_STRING =
  'TypedDataSign(Order contents,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)' + ORDER_TYPE_STRING;
const DOMAIN_TYPE_STRING = 'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)';
const EXCHANGE_NAME = 'Polymarket CTF Exchange';

const ORDER_TYPE_HASH = keccakBytes(stringToBytes(ORDER_TYPE_STRING));
const TDS_TYPE_HASH = keccakBytes(stringToBytes(TYPED_DATA_SIGN_TYPE_STRING));
const ORDER_TYPE_STRING_HEX = bytesToHex(stringToBytes(ORDER_TYPE_STRING)).slice(2);
const ORDER_TYPE_LENGTH_HEX = ORDER_TYPE_STRING.length.toString(16).padStart(4, '0');

/** The order struct exactly as posted (`order` in the POST body), signature included. */
export interface SignedOrderV2 {
  readonly salt: number;
  readonly maker: Address;
  readonly signer: Address;
  readonly tokenId: string;
  readonly makerAmount: string;
  readonly takerAmount: string;
  readonly side: Side;
  readonly signatureType: SignatureType;
  readonly timestamp: string;
  readonly expiration: string;
  readonly metadata: Hex;
  readonly builder: Hex;
  readonly signature: Hex;
}

export interface SignedOrder {
  /** The EIP-712 digest of the order: the venue's order id. */
  readonly orderId: Hex;
  readonly order: SignedOrderV2;
  readonly negRisk: boolean;
}

/** What to sign: exact amounts, the market's tick and neg-risk flag. */
export interface OrderFields {
  readonly tokenId: string | bigint;
  readonly side: Side;
  readonly price: Micros;
  readonly size: Micros;
  readonly tickSize: Micros;
  readonly negRisk: boolean;
  /** Unix seconds, GTD only; 0 / absent = none. Posted, not signed (V2). */
  readonly expiration?: number;
  readonly metadata?: Hex;
  readonly builder?: Hex;
  /** Overrides the salt source / clock for this order. */
  readonly salt?: number;
  readonly timestampMs?: number;
}

export interface OrderSignerOptions {
  readonly privateKey: Hex;
  readonly signatureType: SignatureType;
  /** The funder (maker): proxy, Safe or deposit wallet. Required for types 1–3; type 0 uses the EOA. */
  readonly funder?: Address;
  readonly chainId?: number;
  /** Salt source (safe integers). Default: crypto-random. */
  readonly salt?: () => number;
  /** Timestamp source (epoch ms). */
  readonly clock?: Pick<Clock, 'now'>;
  /** Exchange addresses when not the chain's defaults. */
  readonly exchanges?: { readonly standard: Address; readonly negRisk: Address };
  /** Order protocol version: 2 (default) or 3 (ExchangeV3: domain version "3", one exchange for all markets). */
  readonly version?: 2 | 3;
}

/** The ExchangeV3 contract (Polygon), used only when /version says 3. */
export const EXCHANGE_V3: Address = '0xe3333700cA9d93003F00f0F71f8515005F6c00Aa';

/** A deterministic salt source (splitmix64, 53-bit safe integers) for tests and replays. */
export function seededSalt(seed: bigint | number): () => number {
  let state = BigInt.asUintN(64, BigInt(seed));
  return () => {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z ^= z >> 31n;
    return Number(z >> 11n);
  };
}

// Random salts are drawn from a pool refilled 256 at a time (one getRandomValues call, not one per order).
const SALT_POOL = new Uint32Array(512);
let saltNext = SALT_POOL.length;

function randomSalt(): number {
  if (saltNext >= SALT_POOL.length) {
    crypto.getRandomValues(SALT_POOL);
    saltNext = 0;
  }
  const hi = SALT_POOL[saltNext]!;
  const lo = SALT_POOL[saltNext + 1]!;
  saltNext += 2;
  return (hi & 0x1fffff) * 0x100000000 + lo;
}

const UINT256_RE = /^\d{1,78}$/;
const BYTES32_RE = /^0x[0-9a-fA-F]{64}$/;
const TOKEN_CACHE_SIZE = 256;

/** Signs V2 orders for one signer/funder pair. */
export class OrderSigner {
  readonly chainId: number;
  readonly signatureType: SignatureType;
  readonly version: 2 | 3;
  /** The EOA that signs (and owns the API key). */
  readonly eoa: Address;
  readonly maker: Address;
  readonly signer: Address;
  private readonly key: Secp256k1Key;
  private readonly saltSource: () => number;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly domainSep: { readonly standard: Uint8Array; readonly negRisk: Uint8Array };
  private readonly domainSepHex: { readonly standard: string; readonly negRisk: string };
  // Reused buffers: 12 words of struct, 66 bytes of digest input, 7 words of TypedDataSign.
  private readonly structBuf = new Uint8Array(12 * 32);
  private readonly digestBuf = new Uint8Array(66);
  private readonly tdsBuf = new Uint8Array(7 * 32);
  // What words 10 and 11 of structBuf hold now, and the struct words of recently signed token ids.
  private lastMetadata: string = BYTES32_ZERO;
  private lastBuilder: string = BYTES32_ZERO;
  private readonly tokenWords = new Map<string, Uint8Array>();

  constructor(opts: OrderSignerOptions) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(opts.privateKey)) {
      throw new PolyquoteError('SIGNER_INVALID', 'expected a 32-byte hex private key at signer.privateKey (value not shown)');
    }
    if (![0, 1, 2, 3].includes(opts.signatureType)) {
      throw new PolyquoteError('SIGNER_INVALID', `expected signature type 0–3, got ${String(opts.signatureType)} at signer.signatureType`);
    }
    this.chainId = opts.chainId ?? 137;
    this.version = opts.version ?? 2;
    const exchanges = opts.exchanges ?? (this.version === 3 ? { standard: EXCHANGE_V3, negRisk: EXCHANGE_V3 } : EXCHANGES[this.chainId]);
    if (!exchanges) throw new PolyquoteError('SIGNER_INVALID', `expected chain 137 or 80002, got ${this.chainId} at signer.chainId`);
    this.key = new Secp256k1Key(opts.privateKey);
    this.signatureType = opts.signatureType;
    this.eoa = privateKeyToAccount(opts.privateKey).address;
    if (opts.signatureType !== 0 && !opts.funder) {
      throw new PolyquoteError('SIGNER_INVALID', `expected a funder address for signature type ${opts.signatureType} at signer.funder`);
    }
    this.maker = opts.funder ? checksum(opts.funder, 'signer.funder') : this.eoa;
    this.signer = opts.signatureType === 3 ? this.maker : this.eoa;
    this.saltSource = opts.salt ?? randomSalt;
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.domainSep = {
      standard: domainSeparator(EXCHANGE_NAME, String(this.version), this.chainId, exchanges.standard),
      negRisk: domainSeparator(EXCHANGE_NAME, String(this.version), this.chainId, exchanges.negRisk),
    };
    this.domainSepHex = { standard: bytesToHex(this.domainSep.standard).slice(2), negRisk: bytesToHex(this.domainSep.negRisk).slice(2) };
    // Constant words of the struct.
    hexToBytesInto(ORDER_TYPE_HASH, this.structBuf, 0);
    hexToBytesInto(this.maker, this.structBuf, 2 * 32 + 12);
    hexToBytesInto(this.signer, this.structBuf, 3 * 32 + 12);
    this.structBuf[8 * 32 + 31] = this.signatureType;
    this.digestBuf[0] = 0x19;
    this.digestBuf[1] = 0x01;
    hexToBytesInto(TDS_TYPE_HASH, this.tdsBuf, 0);
    hexToBytesInto(keccakBytes(stringToBytes('DepositWallet')), this.tdsBuf, 2 * 32);
    hexToBytesInto(keccakBytes(stringToBytes('1')), this.tdsBuf, 3 * 32);
    writeUint(this.tdsBuf, 4 * 32, BigInt(this.chainId));
    hexToBytesInto(this.signer, this.tdsBuf, 5 * 32 + 12);
  }

  /** Rounds the amounts like the official client, hashes and signs. Throws on invalid fields. */
  async sign(fields: OrderFields): Promise<SignedOrder> {
    const amounts = orderAmounts(fields.side, fields.price, fields.size, fields.tickSize);
    const s = this.structBuf;
    const tokenId = this.layoutTokenId(fields.tokenId);
    const metadata = fields.metadata ?? BYTES32_ZERO;
    const builder = fields.builder ?? BYTES32_ZERO;
    if (metadata !== this.lastMetadata) {
      if (!BYTES32_RE.test(metadata)) throw new PolyquoteError('ORDER_INVALID', `expected bytes32 hex, got ${metadata} at order.metadata`);
      hexToBytesInto(metadata, s, 10 * 32);
      this.lastMetadata = metadata;
    }
    if (builder !== this.lastBuilder) {
      if (!BYTES32_RE.test(builder)) throw new PolyquoteError('ORDER_INVALID', `expected bytes32 hex, got ${builder} at order.builder`);
      hexToBytesInto(builder, s, 11 * 32);
      this.lastBuilder = builder;
    }
    const salt = fields.salt ?? this.saltSource();
    if (!Number.isSafeInteger(salt) || salt < 0) throw new PolyquoteError('ORDER_INVALID', `expected a non-negative safe integer, got ${salt} at order.salt`);
    const timestampMs = fields.timestampMs ?? this.clock.now();
    if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) {
      throw new PolyquoteError('ORDER_INVALID', `expected epoch milliseconds, got ${timestampMs} at order.timestamp`);
    }
    const expiration = fields.expiration ?? 0;
    if (!Number.isSafeInteger(expiration) || expiration < 0) {
      throw new PolyquoteError('ORDER_INVALID', `expected unix seconds, got ${expiration} at order.expiration`);
    }

    // Struct words: 0 typeHash, 1 salt, 2 maker, 3 signer, 4 tokenId, 5 makerAmount, 6 takerAmount,
    // 7 side, 8 signatureType, 9 timestamp, 10 metadata, 11 builder (0, 2, 3, 8 are constant; 4, 10
    // and 11 are written above).
    writeSafeUint(s, 32, salt);
    writeUint(s, 5 * 32, amounts.makerAmount);
    writeUint(s, 6 * 32, amounts.takerAmount);
    s[7 * 32 + 31] = fields.side === 'BUY' ? 0 : 1;
    writeSafeUint(s, 9 * 32, timestampMs);
    const structHash = keccak(s);
    const sep = fields.negRisk ? this.domainSep.negRisk : this.domainSep.standard;
    const digest = this.digest(sep, structHash);

    let signature: Hex;
    if (this.signatureType !== 3) {
      signature = this.key.sign(digest);
    } else {
      const t = this.tdsBuf;
      t.set(structHash, 32);
      const inner = this.key.sign(this.digest(sep, keccak(t)));
      const sepHex = fields.negRisk ? this.domainSepHex.negRisk : this.domainSepHex.standard;
      signature = `0x${inner.slice(2)}${sepHex}${bytesToHex(structHash).slice(2)}${ORDER_TYPE_STRING_HEX}${ORDER_TYPE_LENGTH_HEX}`;
    }
    return {
      orderId: bytesToHex(digest),
      negRisk: fields.negRisk,
      order: {
        salt,
        maker: this.maker,
        signer: this.signer,
        tokenId,
        makerAmount: amounts.makerAmount.toString(),
        takerAmount: amounts.takerAmount.toString(),
        side: fields.side,
        signatureType: this.signatureType,
        timestamp: String(timestampMs),
        expiration: String(expiration),
        metadata,
        builder,
        signature,
      },
    };
  }

  /** Validates the token id (once per distinct id: a quoter signs a few tokens over and over) and writes its word. */
  private layoutTokenId(tokenId: string | bigint): string {
    const key = typeof tokenId === 'bigint' ? tokenId.toString() : tokenId;
    let word = this.tokenWords.get(key);
    if (!word) {
      canonicalTokenId(key);
      word = new Uint8Array(32);
      writeUint(word, 0, BigInt(key));
      if (this.tokenWords.size >= TOKEN_CACHE_SIZE) this.tokenWords.clear();
      this.tokenWords.set(key, word);
    }
    this.structBuf.set(word, 4 * 32);
    return key;
  }

  private digest(sep: Uint8Array, structHash: Uint8Array): Uint8Array {
    const d = this.digestBuf;
    d.set(sep, 2);
    d.set(structHash, 34);
    return keccak(d);
  }
}

/** The EIP-712 domain separator of {name, version, chainId, verifyingContract}. */
export function domainSeparator(name: string, version: string, chainId: number, verifyingContract: Address): Uint8Array {
  const buf = new Uint8Array(5 * 32);
  hexToBytesInto(keccakBytes(stringToBytes(DOMAIN_TYPE_STRING)), buf, 0);
  hexToBytesInto(keccakBytes(stringToBytes(name)), buf, 32);
  hexToBytesInto(keccakBytes(stringToBytes(version)), buf, 64);
  writeUint(buf, 96, BigInt(chainId));
  hexToBytesInto(checksum(verifyingContract, 'exchange address'), buf, 128 + 12);
  return keccak(buf);
}

/** A token id as a canonical uint256 decimal string; throws naming the field. */
export function canonicalTokenId(tokenId: string | bigint): string {
  const text = typeof tokenId === 'bigint' ? tokenId.toString() : tokenId;
  if (!UINT256_RE.test(text) || BigInt(text) >= 1n << 256n || (text.length > 1 && text.startsWith('0'))) {
    throw new PolyquoteError('ORDER_INVALID', `expected a canonical uint256 decimal string, got ${JSON.stringify(String(tokenId))} at order.tokenId`);
  }
  return text;
}

function checksum(address: string, where: string): Address {
  try {
    return getAddress(address);
  } catch {
    throw new PolyquoteError('SIGNER_INVALID', `expected a 20-byte hex address, got ${JSON.stringify(address)} at ${where}`);
  }
}

export type PostOrderType = 'GTC' | 'GTD' | 'FOK' | 'FAK';

/** The POST /order body object, keys in the official client's order (`orderToJsonV2`). */
export function orderPayload(signed: SignedOrder, owner: string, orderType: PostOrderType, postOnly: boolean, deferExec = false) {
  const o = signed.order;
  return {
    deferExec,
    postOnly,
    order: {
      salt: o.salt,
      maker: o.maker,
      signer: o.signer,
      tokenId: o.tokenId,
      makerAmount: o.makerAmount,
      takerAmount: o.takerAmount,
      side: o.side,
      signatureType: o.signatureType,
      timestamp: o.timestamp,
      expiration: o.expiration,
      metadata: o.metadata,
      builder: o.builder,
      signature: o.signature,
    },
    owner,
    orderType,
  };
}
