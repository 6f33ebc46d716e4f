/**
 * Event-driven chain balances: the funder's ERC-1155 TransferSingle/TransferBatch logs (as `from` or
 * as `to`) turned into balance changes on top of the last full chain read, reported at once.
 *
 * State model — balance(token) = base(token).value + Σ delta(log, token) over the logs seen whose
 * block is above base(token).block. `base` comes only from full chain reads (the seed and every
 * safety-net poll), so an event seen before, during or after a read is counted exactly once, a read
 * that is older than an event already applied does not undo it, and a missed event is corrected by
 * the next full read. Logs are keyed by blockHash:logIndex (a self-transfer arrives through both the
 * `from` and the `to` subscription but counts once); a log delivered as `removed` (reorg) is dropped.
 * Report blocks never go backwards: four subscriptions deliver independently, so a report is stamped
 * with the highest log block seen so far.
 */
import type { Address, Log } from 'viem';
import { SourceError } from '../../../core/errors.ts';
import type { BalanceReport } from '../../../core/sources/position-source.ts';
import { ChainSource, type ChainSourceOptions } from '../chain/chain-source.ts';
import { ctfAbi } from '../chain/chain-reader.ts';
import { toSourceError } from '../chain/rpc-errors.ts';

interface SeenLog {
  readonly block: bigint;
  readonly deltas: ReadonlyMap<string, bigint>;
}

type TransferLog = Log<bigint, number, false> & {
  eventName?: string;
  args?: { from?: Address; to?: Address; id?: bigint; value?: bigint; ids?: readonly bigint[]; values?: readonly bigint[] };
};

/** Chain source with a push channel: watch() reports balances as transfer logs arrive. */
export class ChainEventsSource extends ChainSource {
  private readonly base = new Map<string, { value: bigint; block: bigint }>();
  private readonly seen = new Map<string, SeenLog>();
  private highestLogBlock = 0n;
  private readonly funder: Address;
  private readonly rpcUrl: string;

  constructor(opts: ChainSourceOptions) {
    super({ ...opts, name: opts.name ?? 'chain-events' });
    this.funder = this.target.funder;
    this.rpcUrl = opts.rpcUrl;
  }

  /** The full chain read (safety net); also re-bases the event state on it. */
  override async fetchBalances(tokenIds: readonly string[], signal?: AbortSignal): Promise<BalanceReport> {
    const report = await super.fetchBalances(tokenIds, signal);
    this.rebase(report.balances, report.block!);
    return report;
  }

  /** Takes a full read at `block` as the new base; a base from a newer read is kept. */
  rebase(balances: ReadonlyMap<string, bigint>, block: bigint): void {
    for (const [id, value] of balances) {
      const prev = this.base.get(id);
      if (!prev || prev.block <= block) this.base.set(id, { value, block });
    }
    // Tokens no longer requested stop being tracked (and stop holding old logs in memory).
    for (const id of this.base.keys()) if (!balances.has(id)) this.base.delete(id);
    this.prune();
  }

  /** Subscribes to the funder's transfers, seeds with a full read, and reports changed balances. */
  watch(tokenIds: () => readonly string[], onReport: (r: BalanceReport) => void, onError: (e: Error) => void): () => void {
    let active = true;
    const fail = (err: unknown, what: string) => {
      if (active) onError(toSourceError(this.name, err, what, this.rpcUrl));
    };
    const handle = (logs: readonly TransferLog[]) => {
      if (!active) return;
      try {
        const report = this.applyLogs(logs, new Set(tokenIds()));
        if (report) onReport(report);
      } catch (err) {
        fail(err, 'applying transfer logs');
      }
    };
    const unwatches: (() => void)[] = [];
    for (const eventName of ['TransferSingle', 'TransferBatch'] as const) {
      for (const args of [{ from: this.funder }, { to: this.funder }]) {
        const direction = 'from' in args ? 'from' : 'to';
        unwatches.push(
          this.client.watchContractEvent({
            address: this.target.contract,
            abi: ctfAbi,
            eventName,
            args,
            strict: true,
            onLogs: (logs) => handle(logs as unknown as TransferLog[]),
            onError: (err) => fail(err, `watching ${eventName} logs with the funder as ${direction}`),
          }),
        );
      }
    }
    // Seed after subscribing: logs that land meanwhile are kept and counted above the seed's block.
    this.fetchBalances(tokenIds()).then(
      (r) => active && onReport(r),
      (err: unknown) => fail(err, 'seeding balances with a full chain read'),
    );
    return () => {
      active = false;
      for (const u of unwatches) u();
    };
  }

  /** Current event-derived balance of `tokenId`, or undefined before any full read covered it. */
  knownBalance(tokenId: string): bigint | undefined {
    const b = this.base.get(tokenId);
    if (!b) return undefined;
    let v = b.value;
    for (const log of this.seen.values()) if (log.block > b.block) v += log.deltas.get(tokenId) ?? 0n;
    return v;
  }

  private applyLogs(logs: readonly TransferLog[], wanted: ReadonlySet<string>): BalanceReport | undefined {
    const affected = new Set<string>();
    for (const log of logs) {
      if (log.blockHash == null || log.logIndex == null || log.blockNumber == null) continue; // pending: wait for it mined
      const key = `${log.blockHash}:${log.logIndex}`;
      if (log.removed) {
        const old = this.seen.get(key);
        if (old) for (const id of old.deltas.keys()) affected.add(id);
        this.seen.delete(key);
        continue;
      }
      if (this.seen.has(key)) continue;
      const deltas = this.deltasOf(log);
      this.seen.set(key, { block: log.blockNumber, deltas });
      if (log.blockNumber > this.highestLogBlock) this.highestLogBlock = log.blockNumber;
      for (const id of deltas.keys()) affected.add(id);
    }
    const balances = new Map<string, bigint>();
    for (const id of affected) {
      if (!wanted.has(id)) continue;
      const v = this.knownBalance(id);
      if (v === undefined) continue; // not seeded yet: the next full read covers it
      if (v < 0n) throw new SourceError(this.name, 'CHAIN_EVENTS_NEGATIVE', `token ${id} would go negative (${v}) after transfer logs; waiting for a full read`);
      balances.set(id, v);
    }
    if (balances.size === 0) return undefined;
    return {
      source: 'chain',
      sourceName: this.name,
      balances,
      block: this.highestLogBlock,
      complete: false,
      degraded: false,
      roundTrips: 0,
      latencyMs: 0,
    };
  }

  private deltasOf(log: TransferLog): Map<string, bigint> {
    const a = log.args ?? {};
    const where = `${log.eventName ?? 'transfer'} log ${log.transactionHash}:${log.logIndex}`;
    let ids: readonly bigint[];
    let values: readonly bigint[];
    if (log.eventName === 'TransferSingle' && typeof a.id === 'bigint' && typeof a.value === 'bigint') {
      ids = [a.id];
      values = [a.value];
    } else if (log.eventName === 'TransferBatch' && Array.isArray(a.ids) && Array.isArray(a.values)) {
      ids = a.ids;
      values = a.values;
    } else {
      throw new SourceError(this.name, 'CHAIN_MALFORMED', `expected a decoded TransferSingle/TransferBatch, got ${where}`, { errorClass: 'non-retryable' });
    }
    if (ids.length !== values.length) {
      throw new SourceError(this.name, 'CHAIN_MALFORMED', `expected as many values as ids, got ${ids.length} ids and ${values.length} values in ${where}`, {
        errorClass: 'non-retryable',
      });
    }
    const f = this.funder.toLowerCase();
    const sign = (a.to?.toLowerCase() === f ? 1n : 0n) - (a.from?.toLowerCase() === f ? 1n : 0n);
    const deltas = new Map<string, bigint>();
    ids.forEach((id, i) => {
      const key = id.toString();
      deltas.set(key, (deltas.get(key) ?? 0n) + sign * values[i]!);
    });
    return deltas;
  }

  /** Forgets logs every tracked token's base already includes. */
  private prune(): void {
    let floor: bigint | undefined;
    for (const b of this.base.values()) if (floor === undefined || b.block < floor) floor = b.block;
    if (floor === undefined) return;
    for (const [key, log] of this.seen) if (log.block <= floor) this.seen.delete(key);
  }
}
