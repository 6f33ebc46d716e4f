/**
 * A real local chain for tests and benchmarks: the simulator's own anvil launcher
 * (sim/chain/anvil-process.ts: the binary shipped by @foundry-rs/anvil on 127.0.0.1 at a free port,
 * waited on until it answers JSON-RPC, killed on stop and on process exit), with the defaults tests
 * use. The CTF fixture that deploys the real ConditionalTokens contract onto it lives in
 * ctf-fixture.ts and is re-exported here.
 */
import { launchAnvil, pickFreePort } from '../../sim/chain/anvil-process.ts';

export { deployCtfFixture, type CtfFixture } from './ctf-fixture.ts';

/** A port that was free a moment ago (the OS picks it for a throwaway listener). */
export const freePort = pickFreePort;

/** A running anvil node. */
export interface AnvilInstance {
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly port: number;
  /** Kills the node and waits for it to exit. */
  stop(): Promise<void>;
}

export interface StartAnvilOptions {
  /** Chain id the node reports; 137 (Polygon) so source configs keep their default. */
  readonly chainId?: number;
}

/** Starts anvil on a free loopback port (anvil's 10 dev accounts); retries with another port if the chosen one was taken. */
export async function startAnvil(opts: StartAnvilOptions = {}): Promise<AnvilInstance> {
  const node = await launchAnvil({ chainId: opts.chainId ?? 137, accounts: 10 });
  return { rpcUrl: node.rpcUrl, wsUrl: `ws://127.0.0.1:${node.port}`, port: node.port, stop: () => node.stop() };
}
