/**
 * The CLOB part of the `polymarket` venue's YAML block (the lead embeds it), and a factory from it.
 * Secrets come from environment variables named by the `…Env` keys (the config loader checks they
 * are set and redacts their values from logs); the values never enter the config object.
 */
import { getAddress, isAddress, type Address, type Hex } from 'viem';
import { z } from 'zod';
import type { Clock } from '../../../../core/clock.ts';
import { ConfigError } from '../../../../core/errors.ts';
import type { Logger } from '../../../../core/logger.ts';
import { ClobClient } from './rest-client.ts';

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte hex address')
  .refine((s) => isAddress(s, { strict: s !== s.toLowerCase() }), 'expected a valid EIP-55 checksum (or an all-lowercase address)')
  .transform((s) => getAddress(s.toLowerCase()));
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');

export const TIERS = {
  standard: { ordersPerSecond: 40, ordersBurst: 60, cancelsPerSecond: 80, cancelsBurst: 120 },
  elite: { ordersPerSecond: 600, ordersBurst: 900, cancelsPerSecond: 1200, cancelsBurst: 1800 },
} as const;

export const clobConfigSchema = z
  .strictObject({
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }).default('https://clob.polymarket.com'),
    chainId: z.union([z.literal(137), z.literal(80002)]).default(137),
    signatureType: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
    /** The funder (maker); defaults to the run's identity.funder; type 0 uses the EOA. */
    funder: address.optional(),
    privateKeyEnv: envName,
    apiKeyEnv: envName.optional(),
    apiSecretEnv: envName.optional(),
    apiPassphraseEnv: envName.optional(),
    timeoutSeconds: z.number().positive().max(60).default(5),
    /** Dead-man switch interval; 0 turns it off (and with it the submit gate). */
    heartbeatSeconds: z.number().min(0).max(9).default(5),
    rateLimitSafety: z.number().gt(0).max(1).default(0.8),
    signerTier: z.enum(['standard', 'elite']).default('standard'),
    maxPages: z.number().int().min(1).max(10_000).default(100),
  })
  .refine((c) => [c.apiKeyEnv, c.apiSecretEnv, c.apiPassphraseEnv].every((v) => v === undefined) || [c.apiKeyEnv, c.apiSecretEnv, c.apiPassphraseEnv].every((v) => v !== undefined), {
    message: 'expected apiKeyEnv, apiSecretEnv and apiPassphraseEnv together (or none: the key is derived)',
    path: ['apiKeyEnv'],
  });
export type ClobConfig = z.infer<typeof clobConfigSchema>;

/** Builds the client; `configPath` names the block in errors. Reads secrets from `env` (never logged). */
export function clobClientFromConfig(
  cfg: ClobConfig,
  ctx: { clock: Clock; logger?: Logger; configPath: string; funder?: Address; env?: NodeJS.ProcessEnv },
): ClobClient {
  const env = ctx.env ?? process.env;
  const secret = (name: string, key: string): string => {
    const v = env[name];
    if (!v) throw new ConfigError([{ path: `${ctx.configPath}.${key}`, message: `expected environment variable ${name} (a secret) to be set, got nothing` }]);
    return v;
  };
  const privateKey = secret(cfg.privateKeyEnv, 'privateKeyEnv');
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
    throw new ConfigError([{ path: `${ctx.configPath}.privateKeyEnv`, message: `expected ${cfg.privateKeyEnv} to hold a 0x-prefixed 32-byte hex key (value not shown)` }]);
  }
  const funder = cfg.funder ?? ctx.funder;
  if (cfg.signatureType !== 0 && !funder) {
    throw new ConfigError([{ path: `${ctx.configPath}.funder`, message: `expected a funder address for signature type ${cfg.signatureType} (here or in identity.funder)` }]);
  }
  const creds = cfg.apiKeyEnv && cfg.apiSecretEnv && cfg.apiPassphraseEnv
    ? { key: secret(cfg.apiKeyEnv, 'apiKeyEnv'), secret: secret(cfg.apiSecretEnv, 'apiSecretEnv'), passphrase: secret(cfg.apiPassphraseEnv, 'apiPassphraseEnv') }
    : undefined;
  return new ClobClient({
    baseUrl: cfg.url, privateKey: privateKey as Hex, signatureType: cfg.signatureType, chainId: cfg.chainId, clock: ctx.clock,
    timeoutMs: cfg.timeoutSeconds * 1000, heartbeatIntervalMs: cfg.heartbeatSeconds * 1000, maxPages: cfg.maxPages,
    rateLimits: { safety: cfg.rateLimitSafety, signer: TIERS[cfg.signerTier] },
    ...(funder ? { funder } : {}), ...(creds ? { creds } : {}), ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
}
