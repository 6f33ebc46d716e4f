/**
 * L1 authentication (API key creation and derivation): an EIP-712 `ClobAuth` signature by the
 * address in POLY_ADDRESS. Keys are derived deterministically from (address, nonce) and a server
 * secret, so deriving twice gives the same key and a restart with the same seed does too.
 */
import { createHmac } from 'node:crypto';
import { getAddress, isAddress, recoverTypedDataAddress, type Hex } from 'viem';

export const CLOB_AUTH_MESSAGE = 'This message attests that I control the given wallet';

export interface ApiCreds {
  readonly apiKey: string;
  readonly secret: string;
  readonly passphrase: string;
}

export type L1Check = { readonly ok: true; readonly address: string; readonly nonce: bigint } | { readonly ok: false; readonly error: string };

/** Verifies L1 headers; `nowSeconds` bounds the timestamp to ±maxSkewSeconds. */
export async function verifyL1(headers: Record<string, string | undefined>, chainId: number, nowSeconds: number, maxSkewSeconds: number): Promise<L1Check> {
  const address = headers['poly_address'];
  const signature = headers['poly_signature'];
  const timestamp = headers['poly_timestamp'];
  const nonceText = headers['poly_nonce'] ?? '0';
  if (!address || !signature || !timestamp) return { ok: false, error: 'Invalid L1 Request headers' };
  if (!isAddress(address, { strict: false })) return { ok: false, error: `Invalid L1 Request headers: bad POLY_ADDRESS ${JSON.stringify(address)}` };
  if (!/^\d+$/.test(timestamp) || Math.abs(Number(timestamp) - nowSeconds) > maxSkewSeconds) return { ok: false, error: 'Invalid L1 Request headers: stale or bad POLY_TIMESTAMP' };
  if (!/^\d+$/.test(nonceText)) return { ok: false, error: 'Invalid L1 Request headers: bad POLY_NONCE' };
  const nonce = BigInt(nonceText);
  try {
    const recovered = await recoverTypedDataAddress({
      domain: { name: 'ClobAuthDomain', version: '1', chainId },
      types: { ClobAuth: [{ name: 'address', type: 'address' }, { name: 'timestamp', type: 'string' }, { name: 'nonce', type: 'uint256' }, { name: 'message', type: 'string' }] },
      primaryType: 'ClobAuth',
      message: { address: getAddress(address), timestamp, nonce, message: CLOB_AUTH_MESSAGE },
      signature: signature as Hex,
    });
    if (recovered.toLowerCase() !== address.toLowerCase()) return { ok: false, error: 'Invalid L1 Request headers: signature does not match POLY_ADDRESS' };
  } catch {
    return { ok: false, error: 'Invalid L1 Request headers: malformed POLY_SIGNATURE' };
  }
  return { ok: true, address: address.toLowerCase(), nonce };
}

/** The API credentials of (address, nonce) under this server's secret. */
export function deriveCreds(serverSecret: string, address: string, nonce: bigint): ApiCreds {
  const h = (label: string): Buffer => createHmac('sha256', serverSecret).update(`${label}|${address.toLowerCase()}|${nonce}`).digest();
  const k = h('key').toString('hex');
  const apiKey = `${k.slice(0, 8)}-${k.slice(8, 12)}-4${k.slice(13, 16)}-${'89ab'[parseInt(k[16]!, 16) % 4]}${k.slice(17, 20)}-${k.slice(20, 32)}`;
  return {
    apiKey,
    secret: h('secret').toString('base64').replace(/\+/g, '-').replace(/\//g, '_'),
    passphrase: h('passphrase').toString('hex').slice(0, 64),
  };
}
