/**
 * `kind: chain` — authoritative balances from the CTF contract over JSON-RPC, one round trip per sync.
 */
import { definePlugin } from '../../../core/plugin.ts';
import type { PositionSource } from '../../../core/sources/position-source.ts';
import { ChainSource, chainConfigSchema, chainOptionsFromConfig, resolveFunder } from './chain-source.ts';

export { ChainSource, chainConfigSchema, chainConfigFields, POLYGON_CTF_ADDRESS, MULTICALL3_ADDRESS } from './chain-source.ts';
export type { ChainConfig, ChainSourceOptions } from './chain-source.ts';
export { readBalancesOneByOne, createChainClient } from './chain-client.ts';
export { readChainBalances, type BatchMode } from './chain-reader.ts';

/** The `chain` position-source plugin. */
export const chainPositionSource = definePlugin({
  category: 'position-source',
  kind: 'chain',
  description: 'Funder ERC-1155 balances read from the CTF contract (Multicall3, one round trip per sync, block-stamped)',
  configSchema: chainConfigSchema,
  create(cfg, ctx): PositionSource {
    const funder = resolveFunder(cfg.funder, ctx.identity.funder, ctx.configPath);
    return new ChainSource(chainOptionsFromConfig(cfg, funder, 'chain', ctx.logger));
  },
});

export default chainPositionSource;
