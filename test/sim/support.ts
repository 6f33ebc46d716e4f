/** Helpers for the simulator tests: wallets for the sim's accounts and API keys through the official client. */
import { ClobClient, SignatureTypeV2, createL2Headers } from '@polymarket/clob-client-v2';
import { createWalletClient, http, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { polygon } from 'viem/chains';
import type { Simulator } from '../../sim/simulator.ts';

export function simWallet(sim: Simulator, i: number): WalletClient {
  const account = privateKeyToAccount(sim.info.accounts[i]!.privateKey);
  // Signs locally only; the transport is never used.
  return createWalletClient({ account, chain: polygon, transport: http('http://127.0.0.1:9') });
}

export interface Trader {
  readonly client: ClobClient;
  readonly signer: WalletClient;
  readonly creds: { key: string; secret: string; passphrase: string };
  readonly address: string;
}

export async function simTrader(sim: Simulator, i: number, opts: { signatureType?: SignatureTypeV2; funderAddress?: string } = {}): Promise<Trader> {
  const signer = simWallet(sim, i);
  const creds = await new ClobClient({ host: sim.info.clobUrl, chain: 137, signer }).createOrDeriveApiKey();
  const client = new ClobClient({ host: sim.info.clobUrl, chain: 137, signer, creds, ...opts });
  return { client, signer, creds, address: sim.info.accounts[i]!.address };
}

/** A raw L2 request signed with the official client's header builder. */
/** `sentBody`, when given, is sent instead of the signed body (a body altered after signing). */
export async function l2Fetch(sim: Simulator, t: Trader, method: string, path: string, body?: unknown, tweak?: (h: Record<string, string>) => void, sentBody?: string): Promise<{ status: number; body: unknown }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = { ...(await createL2Headers(t.signer, t.creds, { method, requestPath: path.split('?')[0]!, ...(text !== undefined && { body: text }) })) } as unknown as Record<string, string>;
  tweak?.(headers);
  const res = await fetch(`${sim.info.clobUrl}${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, ...((sentBody ?? text) !== undefined && { body: sentBody ?? text }) });
  const raw = await res.text();
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    /* text answer */
  }
  return { status: res.status, body: parsed };
}

/** A websocket client collecting every event (array frames flattened) and text frames. */
export interface WsProbe {
  readonly events: Record<string, unknown>[];
  readonly texts: string[];
  readonly arrayFrames: number;
  send(data: string | object): void;
  waitFor(pred: (e: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  waitText(text: string, ms?: number): Promise<void>;
  closed(): Promise<{ code: number; reason: string }>;
  close(): void;
}

export async function wsProbe(url: string): Promise<WsProbe> {
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const events: Record<string, unknown>[] = [];
  const texts: string[] = [];
  let arrayFrames = 0;
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    const s = data.toString();
    try {
      const v = JSON.parse(s) as unknown;
      if (Array.isArray(v)) {
        arrayFrames++;
        events.push(...(v as Record<string, unknown>[]));
      } else if (typeof v === 'object' && v !== null) events.push(v as Record<string, unknown>);
      else texts.push(s);
    } catch {
      texts.push(s);
    }
    for (const w of [...waiters]) w();
  });
  const closedP = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const until = <T>(check: () => T | undefined, ms: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const first = check();
      if (first !== undefined) return resolve(first);
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(events.map((e) => [e.event_type, e.type, e.status]))} ${JSON.stringify(texts)}`));
      }, ms);
      const w = () => {
        const v = check();
        if (v !== undefined) {
          clearTimeout(timer);
          waiters.delete(w);
          resolve(v);
        }
      };
      waiters.add(w);
    });
  return {
    events, texts,
    get arrayFrames() {
      return arrayFrames;
    },
    send: (d) => ws.send(typeof d === 'string' ? d : JSON.stringify(d)),
    waitFor: (pred, ms = 5000) => until(() => events.find(pred), ms, 'an event'),
    waitText: (t, ms = 5000) => until(() => (texts.includes(t) ? true : undefined), ms, `text ${t}`).then(() => undefined),
    closed: () => closedP,
    close: () => ws.close(),
  };
}
