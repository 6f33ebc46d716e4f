/**
 * Capital recycling: when the funder holds both outcomes of a market, the common amount is worth
 * exactly its size in collateral. Every interval, for each market, the mergeable amount (confirmed
 * on both sides, not promised to resting SELLs or pending merges: strategies/active-quoting
 * `mergeableFor`) is merged back through the ConditionalTokens contract. The merge is ledgered as
 * its own event before the transaction leaves (`merge` sent), so the inventory expects both
 * balances to fall; a failed transaction is ledgered as `merge` failed.
 *
 * The funder must be the signing EOA (signature type 0): proxy and Safe wallets merge through
 * their own contracts, which this does not drive.
 */
import { createPublicClient, createWalletClient, defineChain, http, parseAbi, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { formatMicros, type Micros } from '../../core/amounts.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { Engine } from '../../core/engine/engine.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { MarketView } from '../../core/strategy/strategy.ts';
import type { Venue } from '../../core/venue/venue.ts';
import { mergeableFor } from '../../strategies/active-quoting/mergeable.ts';

const ctfAbi = parseAbi(['function mergePositions(address collateralToken, bytes32 parentCollectionId, bytes32 conditionId, uint256[] partition, uint256 amount)']);
const ZERO32: Hex = `0x${'00'.repeat(32)}`;

export interface CapitalRecyclerOptions {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly ctf: Address;
  readonly collateral: Address;
  readonly privateKey: Hex;
  readonly minShares: Micros;
  /** Shares of each outcome kept back (for quoting SELLs). */
  readonly keepShares: Micros;
  readonly intervalMs: number;
}

export class CapitalRecycler {
  private timer: TimerHandle | undefined;
  private busy = false;
  private stopped = false;
  private current: Promise<void> | undefined;
  merged: Micros = 0n;
  failures = 0;

  constructor(
    private readonly engine: Engine,
    private readonly venue: Venue,
    private readonly market: MarketView,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly o: CapitalRecyclerOptions,
  ) {}

  start(): void {
    this.timer = this.clock.every(this.o.intervalMs, () => void this.tick());
  }

  /** No new merge starts; resolves when the one in flight (if any) has been sent and recorded. */
  stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    return this.current ?? Promise.resolve();
  }

  /** One pass over the markets; merges run one at a time. */
  tick(): Promise<void> {
    if (this.busy || this.stopped) return this.current ?? Promise.resolve();
    this.busy = true;
    this.current = this.pass().finally(() => {
      this.busy = false;
      this.current = undefined;
    });
    return this.current;
  }

  private async pass(): Promise<void> {
    for (const m of this.venue.markets()) {
      if (this.stopped) return;
      if (m.negRisk) continue; // neg-risk positions merge through the NegRiskAdapter, not driven here
      const free = mergeableFor(this.market, m, this.o.minShares);
      this.logger.debug({ market: m.marketId, free: formatMicros(free) }, 'mergeable');
      const amount = free - this.o.keepShares;
      if (free <= 0n || amount < this.o.minShares) continue;
      const [yes, no] = m.tokens;
      this.engine.ingest({ type: 'merge', at: this.clock.now(), marketId: m.marketId, tokens: [yes, no], amount, status: 'sent' });
      try {
        const txHash = await this.send(m.marketId as Hex, amount);
        this.merged += amount;
        this.logger.info({ market: m.marketId, amount: formatMicros(amount), txHash }, 'merged both outcomes back into collateral');
      } catch (err) {
        this.failures++;
        this.engine.ingest({ type: 'merge', at: this.clock.now(), marketId: m.marketId, tokens: [yes, no], amount, status: 'failed' });
        this.logger.warn({ market: m.marketId, amount: formatMicros(amount), err: errorMessage(err) }, 'merge failed; both balances stay as they are');
      }
    }
  }

  private async send(conditionId: Hex, amount: Micros): Promise<Hex> {
    const chain = defineChain({ id: this.o.chainId, name: 'polyquote', nativeCurrency: { name: 'POL', symbol: 'POL', decimals: 18 }, rpcUrls: { default: { http: [this.o.rpcUrl] } } });
    const account = privateKeyToAccount(this.o.privateKey);
    const wallet = createWalletClient({ account, chain, transport: http(this.o.rpcUrl, { retryCount: 0 }) });
    const pub = createPublicClient({ chain, transport: http(this.o.rpcUrl, { retryCount: 0 }) });
    const hash = await wallet.writeContract({ address: this.o.ctf, abi: ctfAbi, functionName: 'mergePositions', args: [this.o.collateral, ZERO32, conditionId, [1n, 2n], amount] });
    const receipt = await pub.waitForTransactionReceipt({ hash, timeout: 30_000 });
    if (receipt.status !== 'success') throw new Error(`mergePositions reverted in tx ${hash}`);
    return hash;
  }
}
