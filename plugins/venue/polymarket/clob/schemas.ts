/**
 * zod schemas of the CLOB REST answers. Loose objects (the venue adds fields), strict about what we
 * read. Decimal amounts stay strings here and are parsed exactly by the report builders.
 */
import { z } from 'zod';

const decimal = z.union([z.string(), z.number()]).transform(String);
const optDecimal = z.union([z.string(), z.number()]).nullish().transform((v) => (v === null || v === undefined || v === '' ? undefined : String(v)));
const tokenId = z.union([z.string().regex(/^\d{1,78}$/, 'expected a uint256 decimal string'), z.number().int().nonnegative()]).transform(String);

export const versionSchema = z.looseObject({ version: z.number().int().positive() });
export const timeSchema = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);
export const tickSizeSchema = z.looseObject({ minimum_tick_size: decimal });
export const negRiskSchema = z.looseObject({ neg_risk: z.boolean() });
export const apiKeySchema = z.looseObject({ apiKey: z.string().min(1), secret: z.string().min(1), passphrase: z.string().min(1) });
export const heartbeatSchema = z.looseObject({ heartbeat_id: z.string().nullish() });

export const clobMarketSchema = z.looseObject({
  t: z.array(z.looseObject({ t: tokenId, o: z.string().optional() }).nullable()).min(1),
  mts: decimal,
  nr: z.boolean().nullish(),
  mos: optDecimal,
  fd: z.looseObject({ r: z.number().optional(), e: z.number().optional() }).nullish(),
  /** Rewards: `mi` minimum size (shares), `ma` maximum spread (cents), as the official client's types name them. */
  r: z.looseObject({ mi: optDecimal, ma: optDecimal }).nullish(),
});

const level = z.looseObject({ price: decimal, size: decimal });
export const bookSchema = z.looseObject({
  market: z.string().optional(),
  asset_id: tokenId,
  timestamp: optDecimal,
  hash: z.string().optional(),
  bids: z.array(level),
  asks: z.array(level),
  min_order_size: optDecimal,
  tick_size: optDecimal,
  neg_risk: z.boolean().optional(),
  last_trade_price: optDecimal,
});

export const postOrderResponseSchema = z.looseObject({
  success: z.boolean().optional(),
  orderID: z.string().nullish(),
  status: z.string().nullish(),
  errorMsg: z.string().nullish(),
  makingAmount: optDecimal,
  takingAmount: optDecimal,
  tradeIDs: z.array(z.string()).nullish(),
  transactionsHashes: z.array(z.string()).nullish(),
});
export type PostOrderResponse = z.infer<typeof postOrderResponseSchema>;

export const cancelResponseSchema = z.looseObject({
  canceled: z.array(z.string()).nullish(),
  not_canceled: z.record(z.string(), z.string()).nullish(),
});

export const openOrderSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  market: z.string().optional(),
  asset_id: tokenId,
  side: z.string(),
  original_size: decimal,
  size_matched: decimal,
  price: decimal,
  owner: z.string().optional(),
  maker_address: z.string().optional(),
  created_at: z.union([z.number(), z.string()]).nullish(),
});
export type OpenOrder = z.infer<typeof openOrderSchema>;

export const makerOrderSchema = z.looseObject({
  order_id: z.string().min(1),
  owner: z.string().nullish(),
  maker_address: z.string().nullish(),
  matched_amount: decimal,
  price: decimal,
  asset_id: tokenId,
  side: z.string().nullish(),
  outcome: z.string().nullish(),
});

export const tradeSchema = z.looseObject({
  id: z.string().min(1),
  taker_order_id: z.string().nullish(),
  market: z.string().nullish(),
  asset_id: tokenId,
  side: z.string(),
  size: decimal,
  price: decimal,
  status: z.string().min(1),
  match_time: z.union([z.string(), z.number()]).nullish(),
  matchtime: z.union([z.string(), z.number()]).nullish(),
  last_update: z.union([z.string(), z.number()]).nullish(),
  timestamp: z.union([z.string(), z.number()]).nullish(),
  owner: z.string().nullish(),
  trade_owner: z.string().nullish(),
  maker_address: z.string().nullish(),
  trader_side: z.string().nullish(),
  maker_orders: z.array(makerOrderSchema).nullish(),
});
export type Trade = z.infer<typeof tradeSchema>;

/** A cursor page: `{data, next_cursor}`; the cursor starts at MA== and ends at LTE=. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({ data: z.array(item).nullish().transform((d) => d ?? []), next_cursor: z.string().nullish() });
}

export const balanceAllowanceSchema = z.looseObject({
  balance: decimal,
  allowances: z.record(z.string(), decimal).nullish(),
  allowance: optDecimal,
});

export const errorBodySchema = z.looseObject({ error: z.unknown() });

/** "expected …, got … at <endpoint> <field path>" from a zod failure. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid answer';
  const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
  return `${issue.message} at field ${path}`;
}
