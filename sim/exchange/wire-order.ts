/**
 * The POST /order body as the wire carries it, parsed strictly: a V1-shaped order is told
 * `order_version_mismatch`; anything malformed gets an error naming the field. Amounts become
 * price and size exactly (bigint), never through floating point.
 */
import { z } from 'zod';
import { MICROS_PER_UNIT } from '../../core/amounts.ts';
import type { SignedOrderV2 } from '../auth/order-signature.ts';
import type { OrderType, Side } from './types.ts';

const uint = z.union([z.string().regex(/^\d{1,78}$/), z.number().int().nonnegative().refine(Number.isSafeInteger)]).transform((v) => BigInt(v));
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);

const orderV2 = z.object({
  salt: uint, maker: address, signer: address, taker: address.optional(), tokenId: uint, makerAmount: uint, takerAmount: uint,
  side: z.enum(['BUY', 'SELL']), signatureType: z.number().int().min(0).max(3), timestamp: uint, expiration: uint.optional(),
  metadata: bytes32, builder: bytes32, signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
});

const body = z.object({
  order: z.record(z.string(), z.unknown()),
  owner: z.string().min(1),
  orderType: z.enum(['GTC', 'GTD', 'FOK', 'FAK']).default('GTC'),
  postOnly: z.boolean().default(false),
  deferExec: z.boolean().default(false),
});

export interface WireOrder {
  readonly signed: SignedOrderV2;
  readonly side: Side;
  readonly tokenId: string;
  readonly price: bigint;
  readonly size: bigint;
  /** Whether makerAmount/takerAmount give the price exactly. */
  readonly exactPrice: boolean;
  readonly expiration: number;
  readonly owner: string;
  readonly orderType: OrderType;
  readonly postOnly: boolean;
  readonly deferExec: boolean;
}

export type WireParse = { readonly ok: true; readonly order: WireOrder } | { readonly ok: false; readonly error: string; readonly versionMismatch?: boolean };

/** Parses one POST /order body (or one element of a POST /orders array). */
export function parseWireOrder(raw: unknown, where = 'body'): WireParse {
  const b = body.safeParse(raw);
  if (!b.success) return { ok: false, error: `Invalid order payload: ${describe(b.error, where)}` };
  const o = b.data.order;
  if ('nonce' in o || 'feeRateBps' in o || !('timestamp' in o)) return { ok: false, versionMismatch: true, error: 'order_version_mismatch: the exchange expects V2 orders (version 2)' };
  const p = orderV2.safeParse(o);
  if (!p.success) return { ok: false, error: `Invalid order payload: ${describe(p.error, `${where}.order`)}` };
  const v = p.data;
  if (v.makerAmount === 0n || v.takerAmount === 0n) return { ok: false, error: `Invalid order payload: zero amount at ${where}.order` };
  const buy = v.side === 'BUY';
  const size = buy ? v.takerAmount : v.makerAmount;
  const cash = buy ? v.makerAmount : v.takerAmount;
  const exactPrice = (cash * MICROS_PER_UNIT) % size === 0n;
  const price = (cash * MICROS_PER_UNIT + size / 2n) / size;
  const expiration = Number(v.expiration ?? 0n);
  return {
    ok: true,
    order: {
      signed: {
        salt: v.salt, maker: v.maker as `0x${string}`, signer: v.signer as `0x${string}`, tokenId: v.tokenId, makerAmount: v.makerAmount, takerAmount: v.takerAmount,
        side: buy ? 0 : 1, signatureType: v.signatureType, timestamp: v.timestamp, metadata: v.metadata as `0x${string}`, builder: v.builder as `0x${string}`, signature: v.signature as `0x${string}`,
      },
      side: v.side, tokenId: v.tokenId.toString(), price, size, exactPrice, expiration,
      owner: b.data.owner, orderType: b.data.orderType, postOnly: b.data.postOnly, deferExec: b.data.deferExec,
    },
  };
}

function describe(e: z.ZodError, where: string): string {
  return e.issues.slice(0, 3).map((i) => `${i.message} at ${[where, ...i.path.map(String)].join('.')}`).join('; ');
}
