/**
 * A real local chain for tests and benchmarks: spawns the anvil binary shipped by @foundry-rs/anvil
 * on 127.0.0.1 at a free port and waits until it answers JSON-RPC. The CTF fixture that deploys the
 * real ConditionalTokens contract onto it lives in ctf-fixture.ts and is re-exported here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export { deployCtfFixture, type CtfFixture } from './ctf-fixture.ts';

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
  /** Seconds between blocks; omitted = automine (one block per transaction). */
  readonly blockTimeSeconds?: number;
}

/** Path of the anvil binary for this platform, resolved through its npm package. */
export function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const require = createRequire(import.meta.url);
  const pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`);
  return join(dirname(pkg), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
}

/** A port that was free a moment ago (the OS picks it for a throwaway listener). */
export function freePort(): Promise<number> {
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

/** Starts anvil on a free loopback port; retries with another port if the chosen one was taken. */
export async function startAnvil(opts: StartAnvilOptions = {}): Promise<AnvilInstance> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      return await launch(port, opts);
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`anvil did not start after 5 attempts: ${String(lastError)}`);
}

async function launch(port: number, opts: StartAnvilOptions): Promise<AnvilInstance> {
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(opts.chainId ?? 137), '--silent'];
  if (opts.blockTimeSeconds !== undefined) args.push('--block-time', String(opts.blockTimeSeconds));
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let dead = false;
  void exited.then(() => void (dead = true));
  const rpcUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (dead) throw new Error(`anvil exited while starting on port ${port}: ${stderr.trim()}`);
    if (await answers(rpcUrl)) break;
    if (Date.now() > deadline) {
      await kill(child, exited);
      throw new Error(`anvil did not answer on ${rpcUrl} within 15 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { rpcUrl, wsUrl: `ws://127.0.0.1:${port}`, port, stop: () => kill(child, exited) };
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

async function kill(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
