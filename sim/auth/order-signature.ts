/**
 * Verification of V2 order signatures, written from the contract's EIP-712 definition: the order
 * hash (also its id), the signer recovered from the signature, and the rules per signature type —
 * 0 EOA (signer = maker), 1 POLY_PROXY and 2 POLY_GNOSIS_SAFE (signer may differ from maker), 3
 * POLY_1271 (a deposit wallet: the signature wraps an inner ERC-7739 "TypedDataSign" signature by
 * the wallet's owner; maker = signer = the wallet).
 */
import { encodeAbiParameters, getAddress, hashTypedData, keccak256, recoverTypedDataAddress, size, slice, toHex, type Hex } from 'viem';

export const ORDER_FIELDS = [
  { name: 'salt', type: 'uint256' }, { name: 'maker', type: 'address' }, { name: 'signer', type: 'address' },
  { name: 'tokenId', type: 'uint256' }, { name: 'makerAmount', type: 'uint256' }, { name: 'takerAmount', type: 'uint256' },
  { name: 'side', type: 'uint8' }, { name: 'signatureType', type: 'uint8' }, { name: 'timestamp', type: 'uint256' },
  { name: 'metadata', type: 'bytes32' }, { name: 'builder', type: 'bytes32' },
] as const;
const ORDER_TYPE = `Order(${ORDER_FIELDS.map((f) => `${f.type} ${f.name}`).join(',')})`;

/** The signed part of a V2 order, already parsed. */
export interface SignedOrderV2 {
  readonly salt: bigint;
  readonly maker: Hex;
  readonly signer: Hex;
  readonly tokenId: bigint;
  readonly makerAmount: bigint;
  readonly takerAmount: bigint;
  readonly side: 0 | 1;
  readonly signatureType: number;
  readonly timestamp: bigint;
  readonly metadata: Hex;
  readonly builder: Hex;
  readonly signature: Hex;
}

export interface ExchangeDomain {
  readonly chainId: number;
  readonly verifyingContract: Hex;
  /** "2" for CTF Exchange V2. */
  readonly version: string;
}

const domainOf = (d: ExchangeDomain) => ({ name: 'Polymarket CTF Exchange', version: d.version, chainId: d.chainId, verifyingContract: getAddress(d.verifyingContract) });
const messageOf = (o: SignedOrderV2) => ({
  salt: o.salt, maker: getAddress(o.maker), signer: getAddress(o.signer), tokenId: o.tokenId, makerAmount: o.makerAmount, takerAmount: o.takerAmount,
  side: o.side, signatureType: o.signatureType, timestamp: o.timestamp, metadata: o.metadata, builder: o.builder,
});

/** The EIP-712 hash of an order: its id on the exchange. */
export function orderHash(o: SignedOrderV2, d: ExchangeDomain): Hex {
  return hashTypedData({ domain: domainOf(d), types: { Order: ORDER_FIELDS }, primaryType: 'Order', message: messageOf(o) });
}

export type SignatureCheck = { readonly ok: true; readonly hash: Hex; readonly owner: string } | { readonly ok: false; readonly hash: Hex; readonly error: string };

/** Checks the signature; `owner` is the EOA that signed (the API key's address must be it). */
export async function verifyOrderSignature(o: SignedOrderV2, d: ExchangeDomain): Promise<SignatureCheck> {
  const hash = orderHash(o, d);
  const fail = (error: string): SignatureCheck => ({ ok: false, hash, error });
  const maker = o.maker.toLowerCase();
  const signer = o.signer.toLowerCase();
  try {
    if (o.signatureType === 0 || o.signatureType === 1 || o.signatureType === 2) {
      if (o.signatureType === 0 && maker !== signer) return fail('invalid signature: EOA orders need signer = maker');
      if (size(o.signature) !== 65) return fail('invalid signature: expected 65 bytes');
      const rec = (await recoverTypedDataAddress({ domain: domainOf(d), types: { Order: ORDER_FIELDS }, primaryType: 'Order', message: messageOf(o), signature: o.signature })).toLowerCase();
      return rec === signer ? { ok: true, hash, owner: rec } : fail('invalid signature');
    }
    if (o.signatureType === 3) return await verify1271(o, d, hash);
  } catch {
    return fail('invalid signature: malformed');
  }
  return fail(`invalid signature type ${o.signatureType}`);
}

async function verify1271(o: SignedOrderV2, d: ExchangeDomain, hash: Hex): Promise<SignatureCheck> {
  const fail = (error: string): SignatureCheck => ({ ok: false, hash, error });
  if (o.maker.toLowerCase() !== o.signer.toLowerCase()) return fail('invalid signature: POLY_1271 orders need maker = signer (the deposit wallet)');
  const typeBytes = toHex(ORDER_TYPE);
  const typeLen = size(typeBytes);
  if (size(o.signature) !== 65 + 32 + 32 + typeLen + 2) return fail('invalid signature: bad POLY_1271 wrapper length');
  const inner = slice(o.signature, 0, 65);
  const appSep = slice(o.signature, 65, 97);
  const contents = slice(o.signature, 97, 129);
  const typeString = slice(o.signature, 129, 129 + typeLen);
  const len = Number.parseInt(slice(o.signature, 129 + typeLen).slice(2), 16);
  if (typeString !== typeBytes || len !== typeLen) return fail('invalid signature: POLY_1271 type string mismatch');
  if (appSep !== domainSeparator(d)) return fail('invalid signature: POLY_1271 domain separator mismatch');
  if (contents !== structHash(o)) return fail('invalid signature: POLY_1271 contents hash mismatch');
  const rec = await recoverTypedDataAddress({
    domain: domainOf(d),
    types: {
      TypedDataSign: [{ name: 'contents', type: 'Order' }, { name: 'name', type: 'string' }, { name: 'version', type: 'string' }, { name: 'chainId', type: 'uint256' }, { name: 'verifyingContract', type: 'address' }, { name: 'salt', type: 'bytes32' }],
      Order: ORDER_FIELDS,
    },
    primaryType: 'TypedDataSign',
    message: { contents: messageOf(o), name: 'DepositWallet', version: '1', chainId: BigInt(d.chainId), verifyingContract: getAddress(o.signer), salt: `0x${'00'.repeat(32)}` },
    signature: inner,
  });
  return { ok: true, hash, owner: rec.toLowerCase() };
}

function domainSeparator(d: ExchangeDomain): Hex {
  return keccak256(encodeAbiParameters(
    [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
    [keccak256(toHex('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)')), keccak256(toHex('Polymarket CTF Exchange')), keccak256(toHex(d.version)), BigInt(d.chainId), getAddress(d.verifyingContract)],
  ));
}

function structHash(o: SignedOrderV2): Hex {
  const m = messageOf(o);
  return keccak256(encodeAbiParameters(
    [{ type: 'bytes32' }, ...ORDER_FIELDS.map((f) => ({ type: f.type }))],
    [keccak256(toHex(ORDER_TYPE)), m.salt, m.maker, m.signer, m.tokenId, m.makerAmount, m.takerAmount, m.side, m.signatureType, m.timestamp, m.metadata, m.builder],
  ));
}

