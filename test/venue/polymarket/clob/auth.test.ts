import { createL1Headers, createL2Headers } from '@polymarket/clob-client-v2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSignature, l1Headers, l2Headers } from '../../../../plugins/venue/polymarket/clob/auth.ts';
import { oracleWallet } from './oracle.ts';

const privateKey = fc.bigInt({ min: 1n, max: 2n ** 255n }).map((d) => `0x${d.toString(16).padStart(64, '0')}` as const);
const secret = fc.uint8Array({ minLength: 1, maxLength: 48 }).chain((b) =>
  fc.constantFrom(Buffer.from(b).toString('base64'), Buffer.from(b).toString('base64url'), Buffer.from(b).toString('base64').replace(/=+$/, '')),
);

describe('L2 HMAC', () => {
  it('passes the published vector', () => {
    expect(hmacSignature('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', 1000000, 'test-sign', '/orders', '{"hash": "0x123"}')).toBe(
      'ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=',
    );
  });

  it('equals the official createL2Headers on generated secrets, methods, paths and bodies', async () => {
    const wallet = oracleWallet();
    await fc.assert(
      fc.asyncProperty(
        secret, fc.string({ minLength: 1, maxLength: 20 }), fc.string(), fc.constantFrom('GET', 'POST', 'DELETE'),
        fc.string({ maxLength: 80 }), fc.option(fc.string({ maxLength: 200 }), { nil: undefined }), fc.integer({ min: 0, max: 2 ** 40 }),
        async (sec, key, passphrase, method, path, body, ts) => {
          const creds = { key, secret: sec, passphrase };
          const theirs = await createL2Headers(wallet as never, creds, { method, requestPath: path, ...(body === undefined ? {} : { body }) }, ts);
          expect(l2Headers(wallet.account.address, creds, ts, method, path, body)).toEqual(theirs);
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });

  it('refuses an empty secret without echoing anything', () => {
    expect(() => hmacSignature('', 1, 'GET', '/x')).toThrow(/non-empty API secret at creds\.secret/);
  });
});

describe('L1 ClobAuth headers', () => {
  it('equal the official createL1Headers on generated keys, timestamps and nonces', async () => {
    await fc.assert(
      fc.asyncProperty(privateKey, fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom(137, 80002), async (pk, ts, nonce, chain) => {
        const theirs = await createL1Headers(oracleWallet(pk) as never, chain, nonce, ts);
        expect(await l1Headers(pk, chain, ts, nonce)).toEqual(theirs);
      }),
      { numRuns: 40, seed: 7 },
    );
  });
});
