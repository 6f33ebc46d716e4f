import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { z } from 'zod';
import { App } from '../../app/app.ts';
import { VirtualClock } from '../../core/clock.ts';
import { loadConfigFile, parseConfig } from '../../core/config/load.ts';
import { ConfigError } from '../../core/errors.ts';
import { createMemoryLogger } from '../../core/logger.ts';
import { definePlugin } from '../../core/plugin.ts';
import { PLUGINS, PluginRegistry } from '../../plugins/registry.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A stand-in alert sink with a secret, so secret handling is tested without a real Telegram plugin. */
const secretSink = definePlugin({
  category: 'alert-sink',
  kind: 'test-telegram',
  description: 'test sink holding a bot token',
  configSchema: z.strictObject({ kind: z.literal('test-telegram'), botTokenEnv: z.string(), chatId: z.string() }),
  create: () => ({ kind: 'test-telegram', send: () => undefined }),
});
const registry = new PluginRegistry([...PLUGINS, secretSink]);

const VALID = `
tokens: ["1001", "1002"]
engine: { dedupWindowSeconds: 3600 }
positionSource:
  kind: fallback
  sources:
    - { kind: rest, url: "\${PQ_TEST_URL:-http://127.0.0.1:9}" }
    - { kind: rest, url: "http://127.0.0.1:10" }
reconciler: { kind: oldest-first, pendingFillTtlSeconds: 60 }
risk:
  policies:
    - { kind: conservative-limits, maxPositionShares: 500 }
    - { kind: degrade, thresholdShares: 25, forSeconds: 30 }
    - { kind: hard-halt, sourceUnavailableSeconds: 300 }
  shadow:
    - name: strict
      policies: [ { kind: feed-gap-halt, reconcileAttempts: 1 } ]
alerts: [ { kind: log }, { kind: test-telegram, botTokenEnv: PQ_TEST_BOT_TOKEN, chatId: "-100" } ]
ledger: { kind: memory }
`;
const ENV = { PQ_TEST_BOT_TOKEN: 'bot-secret-123456' };

function configError(yaml: string, env: NodeJS.ProcessEnv = ENV): ConfigError {
  try {
    parseConfig(yaml, registry, { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, got a valid config');
}

describe('config', () => {
  it('round-trips a valid config, with defaults filled in and the result frozen', () => {
    const cfg = parseConfig(VALID, registry, { env: ENV });
    expect(cfg.risk.policies[1]).toEqual({ kind: 'degrade', thresholdShares: 25, forSeconds: 30, sizeMultiplier: 0.5, extraTicks: 1, fallbackSizeMultiplier: 0.5, fallbackExtraTicks: 1 });
    expect(cfg.engine).toEqual({ dedupWindowSeconds: 3600, checkpointEverySeconds: 60, sizeMatchedGraceSeconds: 5, venueReconcileSeconds: 60 });
    expect((cfg.positionSource as unknown as { sources: { url: string }[] }).sources[0]!.url).toBe('http://127.0.0.1:9');
    expect(Object.isFrozen(cfg.risk.policies[0])).toBe(true);

    const { baseDir: _b, file: _f, ...plain } = cfg;
    const again = parseConfig(stringify(plain), registry, { env: ENV });
    const { baseDir: _b2, file: _f2, ...plain2 } = again;
    expect(plain2).toEqual(plain);
  });

  it.each([
    {
      description: 'an unknown key in a plugin block',
      yaml: VALID.replace('maxPositionShares: 500 }', 'maxPositionShares: 500, colour: red }'),
      path: 'risk.policies.0', message: 'unknown key "colour"',
    },
    {
      description: 'an unknown top-level key',
      yaml: `${VALID}\nengin: {}\n`,
      path: '', message: 'unknown key "engin"',
    },
    {
      description: 'a wrong type',
      yaml: VALID.replace('thresholdShares: 25', 'thresholdShares: lots'),
      path: 'risk.policies.1.thresholdShares', message: 'expected number',
    },
    {
      description: 'an unknown kind, listing the known kinds',
      yaml: VALID.replace('kind: hard-halt', 'kind: hard-stop'),
      path: 'risk.policies.2.kind', message: 'conservative-limits, degrade, hard-halt, feed-gap-halt',
    },
    {
      description: 'a missing ${ENV} variable',
      yaml: VALID.replace('"http://127.0.0.1:10"', '"${PQ_TEST_MISSING_URL}"'),
      path: 'positionSource.sources.1.url', message: 'PQ_TEST_MISSING_URL',
    },
    {
      description: 'a missing secret named by a …Env key',
      yaml: VALID, env: {},
      path: 'alerts.1.botTokenEnv', message: 'PQ_TEST_BOT_TOKEN (a secret)',
    },
    {
      description: 'a bad value inside a nested fallback source',
      yaml: VALID.replace('url: "http://127.0.0.1:10" }', 'url: "http://127.0.0.1:10", pageSize: 9999 }'),
      path: 'positionSource.sources.1.pageSize', message: '500',
    },
    {
      description: 'an unknown kind inside a nested fallback source',
      yaml: VALID.replace('{ kind: rest, url: "http://127.0.0.1:10" }', '{ kind: graphql }'),
      path: 'positionSource.sources.1.kind', message: 'chain, chain-events, rest, fallback',
    },
    {
      description: 'an unknown kind in a shadow set',
      yaml: VALID.replace('kind: feed-gap-halt', 'kind: feed-gap'),
      path: 'risk.shadow.0.policies.0.kind', message: 'feed-gap-halt',
    },
  ])('reports $description as one ConfigError with its YAML path', ({ yaml, env, path: at, message }) => {
    const err = configError(yaml, env);
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]!.path).toBe(at);
    expect(err.issues[0]!.message).toContain(message);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(`at ${at || '(root)'}:`);
  });

  it('reports several problems together in one error', () => {
    const yaml = VALID.replace('thresholdShares: 25', 'thresholdShares: lots')
      .replace('kind: hard-halt', 'kind: hard-stop')
      .replace('"http://127.0.0.1:10"', '"${PQ_TEST_MISSING_URL}"');
    const err = configError(yaml, {});
    expect(err.issues.map((i) => i.path).sort()).toEqual(
      ['alerts.1.botTokenEnv', 'positionSource.sources.1.url', 'risk.policies.1.thresholdShares', 'risk.policies.2.kind'].sort(),
    );
    for (const i of err.issues) expect(err.message).toContain(i.path);
  });

  it('never puts a secret value into the error message', () => {
    const err = configError(VALID.replace('thresholdShares: 25', 'thresholdShares: lots'));
    expect(err.message).not.toContain(ENV.PQ_TEST_BOT_TOKEN);
  });

  it("loads the repo's own config.yaml and boots the app from it", async () => {
    const cfg = loadConfigFile(path.join(root, 'examples', 'demo.config.yaml'), new PluginRegistry(), {});
    expect(cfg.tokens).toHaveLength(2);
    expect(cfg.positionSource?.kind).toBe('fallback');
    const { logger } = createMemoryLogger('silent');
    const app = App.create(cfg, { clock: new VirtualClock(Date.parse('2026-01-01T00:00:00Z')), ledger: { kind: 'memory' }, logger });
    try {
      expect(app.source).toBeDefined();
      await app.start();
      expect(app.engine.risk.global.mode).toBe('normal');
      expect(app.engine.risk.policies.map((p) => p.kind)).toEqual(['conservative-limits', 'degrade', 'hard-halt']);
      expect(app.engine.risk.shadowSets.map((s) => s.name)).toEqual(['strict']);
    } finally {
      await app.dispose();
    }
  });
});
