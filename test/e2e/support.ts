/**
 * Helpers of the end-to-end tests: the real CLI as a child process (an isolated temp dir for the
 * funder lock, so parallel test files never collide), JSON lines, the simulator's control
 * endpoint, the chain's balances read straight from anvil, and bounded waiting.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPublicClient, http, type Address } from 'viem';
import { pluginBuilder } from '../../app/app.ts';
import { SystemClock } from '../../core/clock.ts';
import type { PolyquoteConfig } from '../../core/config/schema.ts';
import type { Ledger, LedgerRecord } from '../../core/ledger/ledger.ts';
import { createLogger } from '../../core/logger.ts';
import { PluginRegistry } from '../../plugins/registry.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'polyquote.js');
export const SHIPPED_CONFIG = path.join(ROOT, 'config.yaml');

export interface Child {
  readonly proc: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Parsed JSON lines of stdout so far. */
  lines(): Record<string, unknown>[];
}

/** A scratch directory with its own TMPDIR (the funder lock lives there). */
export function scratch(name: string): { dir: string; tmp: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `pq-e2e-${name}-`));
  const tmp = path.join(dir, 'tmp');
  mkdirSync(tmp);
  return { dir, tmp, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function spawnCli(args: readonly string[], opts: { cwd: string; tmp: string; env?: NodeJS.ProcessEnv }): Child {
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, POLYQUOTE_LOG_LEVEL: 'warn', TMPDIR: opts.tmp, ...opts.env },
  });
  const c: Child = {
    proc, stdout: '', stderr: '',
    exited: new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal }))),
    lines: () => c.stdout.split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    }),
  };
  proc.stdout.setEncoding('utf8').on('data', (d: string) => void (c.stdout += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => {
    c.stderr += d;
    if (c.stderr.length > 2_000_000) c.stderr = c.stderr.slice(-1_000_000);
  });
  return c;
}

/** Kills a child (if still running) and waits for it. */
export async function stopChild(c: Child | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!c || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill(signal);
  const t = setTimeout(() => c.proc.kill('SIGKILL'), 15_000);
  await c.exited;
  clearTimeout(t);
}

/** Polls `fn` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs: number, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function control<T = unknown>(controlUrl: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${controlUrl}/${route}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`control ${route}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface SimTrade {
  id: string;
  status: string;
  tokenId: string;
  side: string;
  taker: string;
  makers: { maker?: string; orderId?: string; shares: string; price: string }[];
}

export interface Exposure {
  orderId: string;
  owner: string;
  maker: string;
  tokenId: string;
  side: 'BUY' | 'SELL';
  conservativeExposure: string;
}

const ERC1155 = [{
  type: 'function', name: 'balanceOfBatch', stateMutability: 'view',
  inputs: [{ name: 'accounts', type: 'address[]' }, { name: 'ids', type: 'uint256[]' }], outputs: [{ name: '', type: 'uint256[]' }],
}] as const;

/** Outcome-token balances of `owner`, read from the chain (micro-shares). */
export async function chainBalances(rpcUrl: string, ctf: Address, owner: Address, tokenIds: readonly string[]): Promise<Map<string, bigint>> {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 2 }) });
  const out = await client.readContract({ address: ctf, abi: ERC1155, functionName: 'balanceOfBatch', args: [tokenIds.map(() => owner), tokenIds.map((t) => BigInt(t))] });
  return new Map(tokenIds.map((t, i) => [t, out[i]!]));
}

/** "12.5" → 12500000n (the summary's decimal strings). */
export function micros(s: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d{1,6}))?$/.exec(s);
  if (!m) throw new Error(`expected a decimal amount, got ${JSON.stringify(s)}`);
  const v = BigInt(m[2]!) * 1_000_000n + BigInt((m[3] ?? '').padEnd(6, '0'));
  return m[1] ? -v : v;
}

/** Every record of a run's ledger, read with the ledger plugin opened read-only (beside a live bot or after it). */
export function readLedgerRecords(config: PolyquoteConfig): LedgerRecord[] {
  const ledger = pluginBuilder(new PluginRegistry(), config, new SystemClock(), createLogger({ level: 'silent' }))<Ledger>('ledger', { ...config.ledger, readOnly: true }, 'ledger');
  ledger.open();
  try {
    return [...ledger.iterate(0)];
  } finally {
    ledger.close();
  }
}
