/**
 * Minimal JSON-RPC access to the simulator's own anvil (never through the fault proxy): requests,
 * eth_sendTransaction from unlocked or impersonated accounts, and receipts checked for success.
 */
import type { Address, Hex } from 'viem';
import { PolyquoteError } from '../../core/errors.ts';

export interface TxRequest {
  readonly from: Address;
  readonly to?: Address;
  readonly data: Hex;
  readonly gas?: bigint;
  readonly nonce?: number;
  readonly value?: bigint;
}

export interface MinedReceipt {
  readonly transactionHash: Hex;
  readonly blockNumber: bigint;
  readonly status: 'success' | 'reverted';
  readonly contractAddress: Address | null;
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`;

export class AnvilRpc {
  private id = 0;
  constructor(readonly url: string) {}

  /** One JSON-RPC call; throws a PolyquoteError naming the method and anvil's message on error. */
  async request<T>(method: string, params: readonly unknown[] = []): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (cause) {
      throw new PolyquoteError('SIM_CHAIN_RPC', `sim chain: ${method} to anvil at ${this.url} failed: ${(cause as Error).message}`, { cause, errorClass: 'retryable' });
    }
    const body = (await res.json().catch(() => null)) as { result?: T; error?: { code: number; message: string; data?: unknown } } | null;
    if (!body || body.error || !('result' in body)) {
      const msg = body?.error ? `${body.error.message} (code ${body.error.code})` : `HTTP ${res.status} without a JSON-RPC result`;
      throw new PolyquoteError('SIM_CHAIN_RPC', `sim chain: anvil refused ${method}: ${msg}`, { details: { method } });
    }
    return body.result as T;
  }

  /** eth_sendTransaction; the sender must be an anvil dev account or impersonated. */
  send(tx: TxRequest): Promise<Hex> {
    const t: Record<string, string> = { from: tx.from, data: tx.data };
    if (tx.to) t.to = tx.to;
    if (tx.gas !== undefined) t.gas = hex(tx.gas);
    if (tx.nonce !== undefined) t.nonce = hex(tx.nonce);
    if (tx.value !== undefined) t.value = hex(tx.value);
    return this.request<Hex>('eth_sendTransaction', [t]);
  }

  /** The receipt of a mined transaction (polls briefly: with automine it is there at once). */
  async receipt(hash: Hex): Promise<MinedReceipt> {
    for (let i = 0; i < 200; i++) {
      const r = await this.request<{ transactionHash: Hex; blockNumber: Hex; status: Hex; contractAddress: Address | null } | null>('eth_getTransactionReceipt', [hash]);
      if (r) {
        return { transactionHash: r.transactionHash, blockNumber: BigInt(r.blockNumber), status: r.status === '0x1' ? 'success' : 'reverted', contractAddress: r.contractAddress };
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new PolyquoteError('SIM_CHAIN_RPC', `sim chain: transaction ${hash} was not mined within 2 s`);
  }

  /** Sends with automine on and waits for success; throws naming `label` if it reverted. */
  async sendMined(tx: TxRequest, label: string): Promise<MinedReceipt> {
    const r = await this.receipt(await this.send(tx));
    if (r.status !== 'success') throw new PolyquoteError('SIM_CHAIN_TX_REVERTED', `sim chain: ${label} reverted (tx ${r.transactionHash})`);
    return r;
  }

  /**
   * Sends `txs` in order with automine off and mines them into one block (FIFO order keeps dependent
   * transactions of different senders in sequence); throws naming the first that reverted.
   */
  async mineAll(txs: readonly (TxRequest & { readonly label: string; readonly gas: bigint })[]): Promise<bigint> {
    if (txs.length === 0) return this.blockNumber();
    await this.request('evm_setAutomine', [false]);
    try {
      const nonces = new Map<string, number>();
      const hashes: Hex[] = [];
      for (const tx of txs) {
        const key = tx.from.toLowerCase();
        const nonce = nonces.get(key) ?? (await this.nonce(tx.from, 'latest'));
        nonces.set(key, nonce + 1);
        hashes.push(await this.send({ ...tx, nonce }));
      }
      await this.request('evm_mine');
      const receipts = await Promise.all(hashes.map((h) => this.receipt(h)));
      const failed = receipts.findIndex((r) => r.status !== 'success');
      if (failed >= 0) throw new PolyquoteError('SIM_CHAIN_TX_REVERTED', `sim chain: ${txs[failed]!.label} reverted (tx ${hashes[failed]})`);
      return receipts[0]!.blockNumber;
    } catch (err) {
      await this.request('anvil_dropAllTransactions').catch(() => undefined);
      throw err;
    } finally {
      await this.request('evm_setAutomine', [true]).catch(() => undefined);
    }
  }

  blockNumber(): Promise<bigint> {
    return this.request<Hex>('eth_blockNumber').then((b) => BigInt(b));
  }

  nonce(address: Address, tag: 'latest' | 'pending' = 'pending'): Promise<number> {
    return this.request<Hex>('eth_getTransactionCount', [address, tag]).then((n) => Number(BigInt(n)));
  }
}
