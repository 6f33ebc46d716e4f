/**
 * `kind: polymarket` — the production connector: CLOB V2 over REST (signed orders, L1/L2 auth,
 * rate limits, heartbeats) and the user/market websocket channels. Against Polymarket itself or,
 * unchanged, the embedded simulator (`clobUrl: embedded` in the shipped config).
 */
import { z } from 'zod';
import { PolyquoteError } from '../../../core/errors.ts';
import { definePlugin } from '../../../core/plugin.ts';
import type { Venue } from '../../../core/venue/venue.ts';
import { PolymarketVenue } from './polymarket-venue.ts';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name');
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte address');

export const polymarketVenueSchema = z.strictObject({
  kind: z.literal('polymarket'),
  clobUrl: z.url({ protocol: /^https?$/ }).default('https://clob.polymarket.com'),
  userWsUrl: z.url({ protocol: /^wss?$/ }).default('wss://ws-subscriptions-clob.polymarket.com/ws/user'),
  marketWsUrl: z.url({ protocol: /^wss?$/ }).default('wss://ws-subscriptions-clob.polymarket.com/ws/market'),
  chainId: z.union([z.literal(137), z.literal(80002)]).default(137),
  /** Environment variable holding the signer's private key (0x + 64 hex). */
  privateKeyEnv: envName,
  /** 0 EOA, 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE, 3 POLY_1271 (deposit wallet). */
  signatureType: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).default(0),
  /** The funder (maker) holding collateral and tokens; defaults to identity.funder. */
  funder: address.optional(),
  /** Condition ids of the markets to trade. */
  markets: z.array(z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'a 0x-prefixed 32-byte condition id')).min(1).max(200),
  /** Existing API credentials (otherwise created or derived with the L1 signature at start). */
  apiKeyEnv: envName.optional(),
  apiSecretEnv: envName.optional(),
  apiPassphraseEnv: envName.optional(),
  heartbeatSeconds: z.number().min(1).max(9).default(5),
  requestTimeoutSeconds: z.number().min(0.5).max(60).default(5),
});

export const polymarketVenue = definePlugin({
  category: 'venue',
  kind: 'polymarket',
  description: 'Polymarket CLOB V2: signed orders over REST, user and market websocket feeds, heartbeats (also the embedded simulator)',
  configSchema: polymarketVenueSchema,
  create(cfg, ctx): Venue {
    const secret = (name: string | undefined, what: string): string | undefined => {
      if (name === undefined) return undefined;
      const v = process.env[name];
      if (!v) throw new PolyquoteError('CONFIG_SECRET_MISSING', `expected environment variable ${name} (${what}) to be set, got nothing at ${ctx.configPath}`, { errorClass: 'fatal' });
      return v;
    };
    const key = secret(cfg.privateKeyEnv, 'the signer private key')!;
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
      throw new PolyquoteError('CONFIG_SECRET_INVALID', `expected ${cfg.privateKeyEnv} to hold a 0x-prefixed 32-byte private key, got something else at ${ctx.configPath}.privateKeyEnv`, { errorClass: 'fatal' });
    }
    const apiKey = secret(cfg.apiKeyEnv, 'the CLOB API key');
    const apiSecret = secret(cfg.apiSecretEnv, 'the CLOB API secret');
    const passphrase = secret(cfg.apiPassphraseEnv, 'the CLOB API passphrase');
    if ((apiKey === undefined) !== (apiSecret === undefined) || (apiKey === undefined) !== (passphrase === undefined)) {
      throw new PolyquoteError('CONFIG_INVALID', `expected apiKeyEnv, apiSecretEnv and apiPassphraseEnv together or none of them at ${ctx.configPath}`, { errorClass: 'fatal' });
    }
    const funder = (cfg.funder ?? ctx.identity.funder) as `0x${string}` | undefined;
    return new PolymarketVenue({
      clobUrl: cfg.clobUrl, userWsUrl: cfg.userWsUrl, marketWsUrl: cfg.marketWsUrl, chainId: cfg.chainId, privateKey: key as `0x${string}`,
      signatureType: cfg.signatureType, markets: cfg.markets, heartbeatIntervalMs: cfg.heartbeatSeconds * 1000, requestTimeoutMs: cfg.requestTimeoutSeconds * 1000,
      clock: ctx.clock, logger: ctx.logger, ...(funder && { funder }),
      ...(apiKey && apiSecret && passphrase && { apiCreds: { key: apiKey, secret: apiSecret, passphrase } }),
    });
  },
});

export default polymarketVenue;
