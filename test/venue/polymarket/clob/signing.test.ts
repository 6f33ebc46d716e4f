import fc from 'fast-check';
import { sign } from 'viem/accounts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatMicros, parseMicros } from '../../../../core/amounts.ts';
import { PolyquoteError } from '../../../../core/errors.ts';
import { TICK_SIZES, ROUNDING } from '../../../../plugins/venue/polymarket/clob/amounts.ts';
import { OrderSigner, orderPayload, seededSalt, type SignatureType } from '../../../../plugins/venue/polymarket/clob/signing.ts';
import { FUNDER, KEY, oracleHash, oracleJson, oracleOrder } from './oracle.ts';

const m = (s: string) => parseMicros(s, 'test');
const TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const OWNER = '00000000-0000-0000-0000-000000000001';
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function signer(sigType: SignatureType) {
  return new OrderSigner({ privateKey: KEY, signatureType: sigType, ...(sigType === 0 ? {} : { funder: FUNDER }) });
}

const cases = fc.record({
  sigType: fc.constantFrom<SignatureType>(0, 1, 2, 3),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  negRisk: fc.boolean(),
  tick: fc.constantFrom(...TICK_SIZES),
  priceUnits: fc.integer({ min: 1, max: 9_999 }),
  half: fc.boolean(),
  sizeCents: fc.integer({ min: 1, max: 5_000_000 }),
  sizeRest: fc.constantFrom(0n, 1n, 5_000n, 9_999n),
  tokenId: fc.oneof(fc.constant(TOKEN), fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }).map(String)),
  orderType: fc.constantFrom('GTC', 'GTD', 'FOK', 'FAK'),
  postOnly: fc.boolean(),
  expiration: fc.constantFrom(undefined, 1_800_000_000),
});

describe('V2 order signing agrees byte for byte with the official client', () => {
  it('signature, order hash and POST body over every signature type, side, exchange and tick at rounding edges', async () => {
    const signers = new Map(([0, 1, 2, 3] as const).map((t) => [t, signer(t)]));
    let n = 0;
    for (const c of fc.sample(cases, { numRuns: 240, seed: 137 })) {
      const rc = ROUNDING[c.tick];
      const unit = 10n ** BigInt(6 - rc.price);
      const tick = m(c.tick);
      let price = (BigInt(c.priceUnits) * unit) % 1_000_000n + (c.half ? unit / 2n : 0n);
      if (price < tick) price = tick;
      if (price > 1_000_000n - tick) price = 1_000_000n - tick;
      const size = BigInt(c.sizeCents) * 10_000n + c.sizeRest;
      const postOnly = c.postOnly && (c.orderType === 'GTC' || c.orderType === 'GTD');
      const theirs = await oracleOrder(
        c.sigType, c.sigType === 0 ? undefined : FUNDER,
        { tokenID: c.tokenId, price: Number(formatMicros(price)), size: Number(formatMicros(size)), side: c.side, ...(c.expiration ? { expiration: c.expiration } : {}) },
        c.tick, c.negRisk,
      );
      const ours = await signers.get(c.sigType)!.sign({
        tokenId: c.tokenId, side: c.side, price, size, tickSize: tick, negRisk: c.negRisk,
        salt: Number(theirs.salt), timestampMs: Number(theirs.timestamp), ...(c.expiration ? { expiration: c.expiration } : {}),
      });
      expect(ours.order.signature).toBe(theirs.signature);
      expect(ours.orderId).toBe(oracleHash(theirs, c.negRisk));
      expect(JSON.stringify(orderPayload(ours, OWNER, c.orderType, postOnly))).toBe(oracleJson(theirs, OWNER, c.orderType, postOnly));
      n++;
    }
    expect(n).toBe(240);
  });

  it('draws salt and timestamp from injected sources: the same order as the official client under a fixed Math.random and clock', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_764_000_000_123);
    vi.spyOn(Math, 'random').mockReturnValue(0.25);
    const theirs = await oracleOrder(1, FUNDER, { tokenID: TOKEN, price: 0.42, size: 12.5, side: 'BUY' }, '0.01', true);
    vi.useRealTimers();
    const ours = await new OrderSigner({
      privateKey: KEY, signatureType: 1, funder: FUNDER, salt: () => Math.round(0.25 * 1_764_000_000_123), clock: { now: () => 1_764_000_000_123 },
    }).sign({ tokenId: TOKEN, side: 'BUY', price: m('0.42'), size: m('12.5'), tickSize: m('0.01'), negRisk: true });
    expect(ours.order.salt).toBe(Number(theirs.salt));
    expect(ours.order.timestamp).toBe('1764000000123');
    expect(ours.order.signature).toBe(theirs.signature);
  });

  it('keeps no stale words between orders: token ids, metadata and builder changing and changing back, a refused order in between', async () => {
    const s0 = signer(0);
    const other = ((1n << 255n) + 12345n).toString();
    const meta = `0x${'ab'.repeat(32)}` as const;
    const build = `0x${'0c'.repeat(31)}01` as const;
    const steps = [
      { tokenId: TOKEN },
      { tokenId: other, metadata: meta },
      { tokenId: BigInt(TOKEN), builder: build },
      { tokenId: other, metadata: meta, builder: build },
      { tokenId: TOKEN, metadata: `0x${'AB'.repeat(32)}` as const },
      { tokenId: '7' },
      { tokenId: TOKEN },
    ];
    let i = 0;
    for (const step of steps) {
      if (i === 3) {
        // A refused order (bad builder, after a new metadata was taken) must not leak into the next one.
        await expect(s0.sign({ tokenId: '9', side: 'BUY', price: m('0.5'), size: m('1'), tickSize: m('0.01'), negRisk: false, metadata: `0x${'ee'.repeat(32)}`, builder: '0x01' })).rejects.toThrow(/order\.builder/);
      }
      const negRisk = i % 2 === 1;
      const o = await s0.sign({ ...step, side: i % 3 ? 'SELL' : 'BUY', price: m('0.37'), size: m(String(3 + i)), tickSize: m('0.01'), negRisk, salt: 1000 + i, timestampMs: 1_764_000_000_000 + i });
      const hash = oracleHash({ ...o.order, salt: String(o.order.salt) }, negRisk);
      expect(o.orderId).toBe(hash);
      expect(o.order.signature).toBe(await sign({ hash, privateKey: KEY, to: 'hex' }));
      expect(o.order.tokenId).toBe(String(step.tokenId));
      i++;
    }
  });

  it('uses the EOA as maker and signer for type 0, the funder as maker for 1/2 and as both for the deposit wallet', () => {
    const eoa = signer(0).eoa;
    expect([signer(0).maker, signer(0).signer]).toEqual([eoa, eoa]);
    expect([signer(2).maker, signer(2).signer]).toEqual([FUNDER, eoa]);
    expect([signer(3).maker, signer(3).signer]).toEqual([FUNDER, FUNDER]);
  });

  it('wraps the deposit-wallet signature: inner sig, app domain, contents hash, type string, length 186', async () => {
    const o = await signer(3).sign({ tokenId: TOKEN, side: 'SELL', price: m('0.3'), size: m('5'), tickSize: m('0.1'), negRisk: false, salt: 1, timestampMs: 2 });
    const hex = o.order.signature.slice(2);
    expect(hex.length / 2).toBe(65 + 32 + 32 + 186 + 2);
    expect(hex.endsWith('00ba')).toBe(true);
    expect(Buffer.from(hex.slice(2 * 129, 2 * (129 + 186)), 'hex').toString()).toMatch(/^Order\(uint256 salt,.*bytes32 builder\)$/);
  });

  it('gives a seeded salt source the same sequence of safe integers every time', () => {
    const a = seededSalt(7), b = seededSalt(7), c = seededSalt(8);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    for (const x of xs) expect(Number.isSafeInteger(x) && x >= 0).toBe(true);
  });

  it.each([
    ['a token id with a leading zero', { tokenId: '0123' }, /canonical uint256.*"0123" at order\.tokenId/],
    ['a token id past uint256', { tokenId: (1n << 256n).toString() }, /at order\.tokenId/],
    ['bad metadata', { metadata: '0x12' as const }, /bytes32 hex, got 0x12 at order\.metadata/],
    ['an unsafe salt', { salt: 2 ** 60 }, /safe integer.*at order\.salt/],
  ])('refuses %s with a clear error', async (_d, over, msg) => {
    const err = await signer(0)
      .sign({ tokenId: TOKEN, side: 'BUY', price: m('0.5'), size: m('1'), tickSize: m('0.01'), negRisk: false, ...over })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolyquoteError);
    expect((err as Error).message).toMatch(msg);
  });

  it('never shows the private key in its errors', () => {
    let msg = '';
    try {
      new OrderSigner({ privateKey: `${KEY}00` as `0x${string}`, signatureType: 0 });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/private key/);
    expect(msg).not.toContain(KEY.slice(2, 20));
    expect(() => new OrderSigner({ privateKey: KEY, signatureType: 1 })).toThrow(/funder address for signature type 1/);
  });
});
