/** `recycling:` — capital recycling (merging both outcomes back into collateral) for `polyquote run`. */
import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte address');

export const recyclingSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Merge only when at least this many shares of both outcomes are free. */
  minShares: z.number().positive().max(1_000_000).default(10),
  /** Shares of each outcome kept back for quoting SELLs. */
  keepShares: z.number().min(0).max(1_000_000).default(0),
  intervalSeconds: z.number().min(1).max(86_400).default(15),
  rpcUrl: z.url({ protocol: /^https?$/ }),
  chainId: z.number().int().positive().default(137),
  /** The ConditionalTokens contract (Polygon 0x4D97DCd97eC945f40cF65F87097ACe5EA0476045). */
  contract: address.default('0x4D97DCd97eC945f40cF65F87097ACe5EA0476045'),
  /** The collateral the positions were split from (Polygon pUSD 0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB). */
  collateral: address.default('0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB'),
  privateKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
});
export type RecyclingConfig = z.infer<typeof recyclingSchema>;

export function parseRecycling(raw: unknown, file?: string): RecyclingConfig {
  const r = recyclingSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => ({ path: ['recycling', ...i.path].join('.'), message: i.message })), file);
  return r.data;
}
