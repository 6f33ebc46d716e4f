/**
 * The viem client a chain source talks through: http(s) or ws(s), no automatic retries and no
 * automatic batching, so one `call` is exactly one request and round trips can be counted honestly.
 */
import { createPublicClient, defineChain, http, webSocket, type Address, type PublicClient } from 'viem';
import { SourceError } from '../../../core/errors.ts';
import { ctfAbi, type ChainReadTarget } from './chain-reader.ts';
import { toSourceError } from './rpc-errors.ts';
import { withAbort } from '../support.ts';

export interface ChainClientOptions {
  readonly rpcUrl: string;
  readonly chainId: number;
  /** Transport-level deadline per request (the caller's AbortSignal may end the wait sooner). */
  readonly timeoutMs: number;
  /** Poll interval of http event watchers. */
  readonly pollingIntervalMs?: number;
}

/** Creates the public client for `rpcUrl` (ws transport for ws:// and wss://, http otherwise). */
export function createChainClient(opts: ChainClientOptions): PublicClient {
  const isWs = /^wss?:/i.test(opts.rpcUrl);
  const transport = isWs
    ? webSocket(opts.rpcUrl, { timeout: opts.timeoutMs, retryCount: 0 })
    : http(opts.rpcUrl, { timeout: opts.timeoutMs, retryCount: 0, batch: false });
  const chain = defineChain({
    id: opts.chainId,
    name: `chain ${opts.chainId}`,
    nativeCurrency: { name: 'native', symbol: 'NATIVE', decimals: 18 },
    rpcUrls: { default: { http: isWs ? [] : [opts.rpcUrl], ...(isWs ? { webSocket: [opts.rpcUrl] } : {}) } },
  });
  return createPublicClient({
    chain,
    transport,
    batch: { multicall: false },
    pollingInterval: opts.pollingIntervalMs ?? 1000,
  }) as PublicClient;
}

/** Closes a ws client's socket; http clients hold nothing to close. */
export async function closeChainClient(client: PublicClient): Promise<void> {
  const transport = client.transport as { type?: string; getRpcClient?: () => Promise<{ close(): void }> };
  if (transport.type !== 'webSocket' || !transport.getRpcClient) return;
  try {
    (await transport.getRpcClient()).close();
  } catch {
    // Never connected: nothing to close.
  }
}

/**
 * The naive loop the batch modes replace: one `balanceOf` eth_call per token, one after another, each
 * at "latest" (so the snapshot may span several blocks). Kept only for the benchmark's comparison.
 */
export async function readBalancesOneByOne(
  t: Pick<ChainReadTarget, 'source' | 'client' | 'rpcUrl' | 'contract' | 'funder'>,
  tokenIds: readonly string[],
  signal?: AbortSignal,
): Promise<{ balances: Map<string, bigint>; roundTrips: number }> {
  const balances = new Map<string, bigint>();
  for (const id of tokenIds) {
    try {
      const v = await withAbort(
        t.source,
        t.client.readContract({ address: t.contract, abi: ctfAbi, functionName: 'balanceOf', args: [t.funder as Address, BigInt(id)] }),
        signal,
      );
      balances.set(id, v);
    } catch (err) {
      if (err instanceof SourceError) throw err;
      throw toSourceError(t.source, err, `balanceOf(${id}) at contract ${t.contract}`, t.rpcUrl);
    }
  }
  return { balances, roundTrips: tokenIds.length };
}
