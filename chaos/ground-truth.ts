/** Reading the ground truth: the simulator's control endpoint and ERC-1155 balances on its chain. */
import { createPublicClient, http, parseAbi, type Address } from 'viem';
import { POLYGON_CTF } from '../sim/chain/deploy.ts';
import { SqliteLedger } from '../plugins/ledger/sqlite/sqlite-ledger.ts';
import { SystemClock } from '../core/clock.ts';
import type { ExposureView, LedgerFill, SimTradeView } from './figures.ts';

export async function control<T>(controlUrl: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${controlUrl}/${route}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${route}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export const simTrades = (url: string) => control<SimTradeView[]>(url, 'trades');
export const simExposures = (url: string) => control<ExposureView[]>(url, 'exposures');

const abi = parseAbi(['function balanceOfBatch(address[] owners, uint256[] ids) view returns (uint256[])']);

/** The funder's settled balance of every token, micro-units (1 share = 10^6 units on the CTF). */
export async function chainBalances(rpcUrl: string, funder: string, tokens: readonly string[]): Promise<Map<string, bigint>> {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 5, retryDelay: 200, timeout: 10_000 }) });
  const out = await client.readContract({ address: POLYGON_CTF, abi, functionName: 'balanceOfBatch', args: [tokens.map(() => funder as Address), tokens.map((t) => BigInt(t))] });
  return new Map(tokens.map((t, i) => [t, out[i]!]));
}

/** The bot's ledger, opened read-only with the sqlite ledger plugin: every `fill` record and the ids of every `submit`. */
export function ledgerRecords(ledgerPath: string): { fills: LedgerFill[]; submittedIds: Set<string> } {
  const ledger = new SqliteLedger({ path: ledgerPath, clock: new SystemClock(), readOnly: true });
  ledger.open();
  try {
    const fills = ledger.query({ types: ['fill'] }).map((r) => r.payload as unknown as LedgerFill);
    const submittedIds = new Set(ledger.query({ types: ['submit'] }).map((r) => String(r.payload.orderId).toLowerCase()));
    return { fills, submittedIds };
  } finally {
    ledger.close();
  }
}
