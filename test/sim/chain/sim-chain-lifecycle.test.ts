import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolyquoteError } from '../../../core/errors.ts';
import { pickFreePort } from '../../../sim/chain/anvil-process.ts';
import { SimChain, type SimChainOptions } from '../../../sim/chain/sim-chain.ts';

async function refusal(options: SimChainOptions): Promise<PolyquoteError> {
  const err = await SimChain.start(options).then(async (c) => {
    await c.stop();
    return undefined;
  }, (e: unknown) => e);
  expect(err).toBeInstanceOf(PolyquoteError);
  return err as PolyquoteError;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('SimChain options and lifecycle', () => {
  it.each([
    { options: { markets: [{ question: 'Q', negRisk: false }, { question: 'Q', negRisk: true }] }, message: 'expected unique questions, got "Q" twice (markets[1])' },
    { options: { markets: [{ question: '', negRisk: false }] }, message: 'expected a non-empty string at markets[0].question' },
    { options: { markets: [{ question: 'Q', negRisk: 'yes' }] }, message: 'expected a boolean at markets[0].negRisk, got yes' },
    { options: { markets: [], accounts: 10 }, message: 'expected an integer in 1..9 at accounts, got 10' },
    { options: { markets: [], collateralPerAccount: 5 }, message: 'expected a non-negative bigint of micro-units at collateralPerAccount, got 5' },
    { options: { markets: [], sharesPerAccount: -1n }, message: 'at sharesPerAccount, got -1' },
    { options: { markets: [], seed: 1.5 }, message: 'expected an integer at seed, got 1.5' },
    { options: { markets: [], anvilPort: 70000 }, message: 'expected a port in 0..65535 at anvilPort, got 70000' },
    { options: { markets: [], faults: { stallMs: -1 } }, message: 'at sim chain options: faults.stallMs, got -1' },
  ])('refuses bad options before starting anything: $message', async ({ options, message }) => {
    const err = await refusal(options as unknown as SimChainOptions);
    expect(err.code).toMatch(/^SIM_CHAIN_(OPTIONS|FAULTS)_INVALID$/);
    expect(err.message).toContain(message);
  });

  it('starts anvil on the port asked for, with one account and no markets', async () => {
    const port = await pickFreePort();
    const chain = await SimChain.start({ markets: [], accounts: 1, anvilPort: port, collateralPerAccount: 7n });
    try {
      expect(chain.anvilRpcUrl).toBe(`http://127.0.0.1:${port}`);
      expect(chain.anvilWsUrl).toBe(`ws://127.0.0.1:${port}`);
      expect(chain.markets).toEqual([]);
      expect(chain.accounts.map((a) => a.address)).toEqual(['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266']);
      expect(await chain.collateralOf(chain.accounts[0]!.address)).toBe(7n);
    } finally {
      await chain.stop();
    }
    expect(alive(chain.anvilPid)).toBe(false);
  });

  it('kills anvil when the Node process that started it exits without stop()', async () => {
    const script = [
      "import { SimChain } from './sim/chain/sim-chain.ts';",
      "const c = await SimChain.start({ markets: [], accounts: 1 });",
      'console.log(c.anvilPid);',
      'process.exit(0);',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: join(import.meta.dirname, '..', '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
    const pid = Number(out.trim());
    expect(pid).toBeGreaterThan(0);
    const deadline = Date.now() + 3000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const survived = alive(pid);
    if (survived) process.kill(pid, 'SIGKILL'); // never leave a stray node behind, even when failing
    expect(survived).toBe(false);
  });
});
