/**
 * The simulator's anvil node: the real binary shipped by @foundry-rs/anvil, on 127.0.0.1, silent,
 * FIFO transaction order (so the transactions of one settlement run in the order they were sent),
 * killed on stop() and, as a last resort, when the Node process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { PolyquoteError } from '../../core/errors.ts';

export interface AnvilProcess {
  readonly rpcUrl: string;
  readonly port: number;
  readonly pid: number;
  /** Kills the node and waits for it to exit; idempotent. */
  stop(): Promise<void>;
}

export interface AnvilLaunchOptions {
  readonly chainId: number;
  /** Dev accounts anvil generates from its well-known mnemonic. */
  readonly accounts: number;
  /** 0 / undefined = a free port chosen by the OS. */
  readonly port?: number;
  /** Block gas limit (anvil's default when omitted). */
  readonly gasLimit?: bigint;
}

/** Path of the anvil binary for this platform, resolved through its npm package. */
export function anvilBinaryPath(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`);
  } catch (cause) {
    throw new PolyquoteError('SIM_CHAIN_ANVIL_MISSING', `expected the package @foundry-rs/anvil-${process.platform}-${arch} to be installed, got none`, { cause, errorClass: 'fatal' });
  }
  return join(dirname(pkg), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
}

/** A loopback port that was free a moment ago. */
export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every node still running when the process exits (a test or bot that forgot stop()). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** Starts anvil; with no fixed port it retries on another free port if the chosen one was taken. */
export async function launchAnvil(opts: AnvilLaunchOptions): Promise<AnvilProcess> {
  if (opts.port) return launchOn(opts.port, opts);
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      return await launchOn(await pickFreePort(), opts);
    } catch (err) {
      lastError = err;
    }
  }
  throw new PolyquoteError('SIM_CHAIN_ANVIL_START', `anvil did not start after 4 attempts: ${String(lastError)}`, { cause: lastError, errorClass: 'fatal' });
}

async function launchOn(port: number, opts: AnvilLaunchOptions): Promise<AnvilProcess> {
  const args = [
    '--host', '127.0.0.1', '--port', String(port), '--chain-id', String(opts.chainId),
    '--accounts', String(opts.accounts), '--order', 'fifo', '--silent',
  ];
  if (opts.gasLimit !== undefined) args.push('--gas-limit', opts.gasLimit.toString());
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  installExitHook();
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
    child.once('error', (err) => {
      stderr += String(err);
      running.delete(child);
      resolve();
    });
  });
  let dead = false;
  void exited.then(() => void (dead = true));
  const stop = () => killChild(child, exited);
  const rpcUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (dead) throw new Error(`anvil exited while starting on port ${port}: ${stderr.trim()}`);
    if (await answers(rpcUrl)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`anvil did not answer on ${rpcUrl} within 15 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 40));
  }
  return { rpcUrl, port, pid: child.pid ?? -1, stop };
}

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

async function killChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  await exited;
}
