import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchAnvil, pickFreePort, type AnvilProcess } from '../../../sim/chain/anvil-process.ts';
import { FAULT_HEADER, RpcFaultProxy, injectedRpcError } from '../../../sim/chain/rpc-fault-proxy.ts';
import { planFaults, type FaultDecision, type RpcFaults } from '../../../sim/chain/rpc-faults.ts';

let anvil: AnvilProcess;
const proxies: RpcFaultProxy[] = [];

beforeAll(async () => {
  anvil = await launchAnvil({ chainId: 137, accounts: 2 });
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await anvil?.stop();
});

async function proxy(seed: number, faults: RpcFaults, targetUrl = anvil.rpcUrl): Promise<RpcFaultProxy> {
  const p = await RpcFaultProxy.start({ targetUrl, seed, faults });
  proxies.push(p);
  return p;
}

const call = (method: string, id: number | string = 1) => ({ jsonrpc: '2.0', id, method, params: [] });

async function post(url: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; body: unknown; ms: number; header: string | null }> {
  const t = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain-text answer (503)
  }
  return { status: res.status, body: parsed, ms: performance.now() - t, header: res.headers.get(FAULT_HEADER) };
}

/** What a client saw, classified like a FaultDecision: the error from the answer itself, the stall from the header (checked against the time taken). */
function observed(r: { status: number; body: unknown; ms: number; header: string | null }): FaultDecision {
  const error = r.status === 503 ? 'http-503' : (r.body as { error?: { code: number } }).error?.code === -32603 ? 'rpc-error' : 'none';
  const stallMs = Number(/stall=(\d+)/.exec(r.header ?? '')?.[1]);
  expect(r.header).toBe(`stall=${stallMs}; error=${error}`);
  expect(r.ms).toBeGreaterThanOrEqual(stallMs - 2);
  return { error, stallMs };
}

describe('RpcFaultProxy in front of a real anvil', () => {
  it('forwards single and batch JSON-RPC requests untouched when no faults are set', async () => {
    const p = await proxy(1, {});
    const single = await post(p.url, call('eth_chainId', 7));
    expect(single).toMatchObject({ status: 200, body: { jsonrpc: '2.0', id: 7, result: '0x89' } });
    const batch = await post(p.url, [call('eth_chainId', 1), call('eth_blockNumber', 'b'), call('no_such_method', 3)]);
    const answers = batch.body as { id: unknown; result?: unknown; error?: { code: number } }[];
    expect(answers.map((a) => a.id)).toEqual([1, 'b', 3]);
    expect(answers[0]!.result).toBe('0x89');
    expect(answers[1]!.result).toMatch(/^0x[0-9a-f]+$/);
    expect(answers[2]!.error?.code).toBe(-32601);
    expect(p.stats).toEqual({ requests: 2, rpcErrors: 0, http503: 0, stalls: 0 });
  });

  it('injects exactly the errors and stalls planned for its seed, in request order, and again for a second proxy with that seed', async () => {
    const faults = { errorRate: 0.4, stallRate: 0.25, stallMs: 40 };
    const plan = planFaults(11, faults, 24);
    expect(new Set(plan.map((d) => d.error))).toEqual(new Set(['none', 'rpc-error', 'http-503']));
    expect(plan.some((d) => d.stallMs > 0)).toBe(true);
    for (const p of [await proxy(11, faults), await proxy(11, faults)]) {
      const seen: FaultDecision[] = [];
      for (let i = 0; i < plan.length; i++) seen.push(observed(await post(p.url, call('eth_blockNumber', i))));
      expect(seen).toEqual(plan);
      expect(p.stats.requests).toBe(24);
      expect(p.stats.rpcErrors + p.stats.http503).toBe(plan.filter((d) => d.error !== 'none').length);
    }
  });

  it('answers an injected -32603 for every request of a batch, with their ids', async () => {
    const p = await proxy(3, { errorRate: 1 });
    let r = await post(p.url, [call('eth_chainId', 1), call('eth_chainId', 2)]);
    while (r.status === 503) r = await post(p.url, [call('eth_chainId', 1), call('eth_chainId', 2)]);
    expect(r.body).toEqual([1, 2].map((id) => ({ jsonrpc: '2.0', id, error: { code: -32603, message: 'simulated internal error (sim chain fault injection)' } })));
    expect(JSON.parse(injectedRpcError('not json'))).toMatchObject({ id: null, error: { code: -32603 } });
  });

  it('holds a stalled request for stallMs and no longer, then answers it', async () => {
    const p = await proxy(5, { stallRate: 1, stallMs: 300 });
    const r = await post(p.url, call('eth_chainId'));
    expect(r.body).toMatchObject({ result: '0x89' });
    expect(r.ms).toBeGreaterThanOrEqual(295);
    expect(r.ms).toBeLessThan(2000);
  });

  it('changes faults at run time, continuing the seeded stream', async () => {
    const p = await proxy(8, {});
    expect((await post(p.url, call('eth_chainId'))).status).toBe(200);
    p.setFaults({ errorRate: 1 });
    const r = await post(p.url, call('eth_chainId'));
    expect(r.status === 503 || (r.body as { error?: unknown }).error !== undefined).toBe(true);
    p.setFaults({});
    expect((await post(p.url, call('eth_chainId'))).body).toMatchObject({ result: '0x89' });
    expect(() => p.setFaults({ stallRate: 3 })).toThrow(/faults\.stallRate, got 3/);
  });

  it('ends requests stalled for a minute when closed, and closes promptly', async () => {
    const p = await proxy(2, { stallRate: 1, stallMs: 60_000 });
    const pending = post(p.url, call('eth_chainId')).then(() => 'answered', () => 'ended');
    await new Promise((r) => setTimeout(r, 100));
    const t = performance.now();
    await p.close();
    expect(await pending).toBe('ended');
    expect(performance.now() - t).toBeLessThan(1000);
    await p.close();
    await expect(fetch(p.url, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('answers 502 with a JSON-RPC error when anvil is unreachable, and 405 to anything but POST', async () => {
    const p = await proxy(1, {}, `http://127.0.0.1:${await pickFreePort()}`);
    const r = await post(p.url, call('eth_chainId', 4));
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({ error: { code: -32603, message: expect.stringContaining('anvil did not answer') } });
    expect((await fetch(p.url)).status).toBe(405);
  });
});
