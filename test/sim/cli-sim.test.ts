import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/polyquote.js', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('polyquote sim', () => {
  it('prints one JSON line when ready, serves it, and exits 0 on SIGTERM with anvil gone', async () => {
    const child = spawn(process.execPath, [BIN, 'sim', '--port', '0', '--seed', '9'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const lines: string[] = [];
    const rl = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no line within 30 s; stderr: ${stderr}`)), 30_000);
      rl.on('line', (l) => {
        lines.push(l);
        clearTimeout(t);
        resolve(l);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before printing; stderr: ${stderr}`)));
    });
    const info = JSON.parse(first) as Record<string, unknown> & { clobUrl: string; rpcUrl: string; markets: { tokens: string[]; negRisk: boolean }[]; accounts: { address: string; privateKey: string }[] };
    expect(Object.keys(info)).toEqual(expect.arrayContaining(['clobUrl', 'userWsUrl', 'marketWsUrl', 'dataApiUrl', 'rpcUrl', 'chainId', 'markets', 'accounts']));
    expect(info).toMatchObject({ chainId: 137, userWsUrl: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/user$/) });
    expect(info.markets.map((m) => m.negRisk)).toEqual([false, true]);
    expect(info.markets[0]!.tokens[0]).toMatch(/^\d{10,78}$/);
    expect(info.accounts[0]).toMatchObject({ address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' });
    expect(await (await fetch(`${info.clobUrl}/version`)).json()).toEqual({ version: 2 });
    const rpc = await fetch(info.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }) });
    expect(((await rpc.json()) as { result: string }).result).toBe('0x89');
    // Find anvil: the child's child process listening on the chain's port.
    const { execSync } = await import('node:child_process');
    const kids = execSync(`ps -o pid=,comm= --ppid ${child.pid}`).toString().trim().split('\n')
      .map((l) => l.trim().split(/\s+/)).filter(([, comm]) => comm === 'anvil').map(([pid]) => Number(pid));
    expect(kids).toHaveLength(1);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    for (const pid of kids) expect(alive(pid)).toBe(false);
    await expect(fetch(info.rpcUrl, { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});
