import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../core/clock.ts';
import { ConfigError } from '../../../../core/errors.ts';
import { clobClientFromConfig, clobConfigSchema } from '../../../../plugins/venue/polymarket/clob/config.ts';
import { FUNDER, KEY } from './oracle.ts';

const ctx = (env: Record<string, string>) => ({ clock: new VirtualClock(0), configPath: 'venue.clob', env });

describe('CLOB config', () => {
  it('fills defaults and builds a client whose signer is the key in the named variable', () => {
    const cfg = clobConfigSchema.parse({ signatureType: 2, privateKeyEnv: 'PM_KEY', funder: FUNDER.toLowerCase() });
    expect(cfg).toMatchObject({ url: 'https://clob.polymarket.com', chainId: 137, timeoutSeconds: 5, heartbeatSeconds: 5, signerTier: 'standard', funder: FUNDER });
    const c = clobClientFromConfig(cfg, ctx({ PM_KEY: KEY }));
    expect(c.identity.maker).toBe(FUNDER);
    expect(c.heartbeats?.intervalMs).toBe(5_000);
    c.dispose();
  });

  it('asks for the three API secrets together', () => {
    const r = clobConfigSchema.safeParse({ signatureType: 0, privateKeyEnv: 'K', apiKeyEnv: 'A' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['apiKeyEnv'], message: expect.stringMatching(/together/) });
  });

  it('names the YAML path of a missing or malformed secret without showing its value', () => {
    const cfg = clobConfigSchema.parse({ signatureType: 0, privateKeyEnv: 'PM_KEY' });
    expect(() => clobClientFromConfig(cfg, ctx({}))).toThrow(/venue\.clob\.privateKeyEnv: expected environment variable PM_KEY/);
    let err: unknown;
    try {
      clobClientFromConfig(cfg, ctx({ PM_KEY: 'not-a-key-but-secret-text' }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toContain('secret-text');
    expect(() => clobClientFromConfig(clobConfigSchema.parse({ signatureType: 1, privateKeyEnv: 'PM_KEY' }), ctx({ PM_KEY: KEY }))).toThrow(/venue\.clob\.funder/);
  });
});
