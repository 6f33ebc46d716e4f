/**
 * CLOB authentication headers.
 *
 * L1 (creating or deriving an API key): an EIP-712 `ClobAuth` signature by the signer EOA.
 * L2 (every trading call): HMAC-SHA256 over `timestamp + METHOD + path + body` keyed with the
 * base64(url)-decoded API secret, output url-safe base64 with its `=` padding kept.
 * Secrets never leave this module except inside the header values the venue asks for.
 */
import { createHmac } from 'node:crypto';
import type { Address, Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { PolyquoteError } from '../../../../core/errors.ts';

export const CLOB_AUTH_MESSAGE = 'This message attests that I control the given wallet';

/** API credentials; `secret` and `passphrase` are secrets. */
export interface ApiCreds {
  readonly key: string;
  readonly secret: string;
  readonly passphrase: string;
}

export interface L1Headers {
  readonly POLY_ADDRESS: string;
  readonly POLY_SIGNATURE: string;
  readonly POLY_TIMESTAMP: string;
  readonly POLY_NONCE: string;
}

export interface L2Headers {
  readonly POLY_ADDRESS: string;
  readonly POLY_SIGNATURE: string;
  readonly POLY_TIMESTAMP: string;
  readonly POLY_API_KEY: string;
  readonly POLY_PASSPHRASE: string;
}

/** L1 headers for /auth/api-key and /auth/derive-api-key; `timestampSec` is unix seconds. */
export async function l1Headers(privateKey: Hex, chainId: number, timestampSec: number, nonce = 0): Promise<L1Headers> {
  const account = privateKeyToAccount(privateKey);
  const signature = await account.signTypedData({
    domain: { name: 'ClobAuthDomain', version: '1', chainId },
    types: {
      ClobAuth: [
        { name: 'address', type: 'address' },
        { name: 'timestamp', type: 'string' },
        { name: 'nonce', type: 'uint256' },
        { name: 'message', type: 'string' },
      ],
    },
    primaryType: 'ClobAuth',
    message: { address: account.address, timestamp: String(timestampSec), nonce: BigInt(nonce), message: CLOB_AUTH_MESSAGE },
  });
  return { POLY_ADDRESS: account.address, POLY_SIGNATURE: signature, POLY_TIMESTAMP: String(timestampSec), POLY_NONCE: String(nonce) };
}

/** The L2 HMAC signature (url-safe base64 keeping '='). */
export function hmacSignature(secret: string, timestampSec: number | string, method: string, requestPath: string, body?: string): string {
  if (!secret) throw new PolyquoteError('AUTH_INVALID', 'expected a non-empty API secret at creds.secret');
  const key = Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  const message = `${timestampSec}${method}${requestPath}${body ?? ''}`;
  return createHmac('sha256', key).update(message).digest('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** L2 headers for one request; `requestPath` excludes the query string, `body` is the exact JSON sent. */
export function l2Headers(address: Address, creds: ApiCreds, timestampSec: number, method: string, requestPath: string, body?: string): L2Headers {
  return {
    POLY_ADDRESS: address,
    POLY_SIGNATURE: hmacSignature(creds.secret, timestampSec, method, requestPath, body),
    POLY_TIMESTAMP: String(timestampSec),
    POLY_API_KEY: creds.key,
    POLY_PASSPHRASE: creds.passphrase,
  };
}
