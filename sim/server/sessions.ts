/**
 * Per-client server state: API keys (created by L1, checked by L2), the dead-man-switch heartbeat
 * chain of each key, and the matching-engine restart window. Pure state with `nowMs` passed in.
 */
import { deriveCreds, type ApiCreds } from '../auth/l1.ts';
import { l2Signature, signatureMatches } from '../auth/hmac.ts';

export interface KeyRecord extends ApiCreds {
  readonly address: string;
  readonly nonce: bigint;
}

export class ApiKeys {
  private readonly byKey = new Map<string, KeyRecord>();

  constructor(private readonly serverSecret: string) {}

  /** Creates the key of (address, nonce); undefined when it already exists (the real server refuses). */
  create(address: string, nonce: bigint): KeyRecord | undefined {
    const creds = deriveCreds(this.serverSecret, address, nonce);
    if (this.byKey.has(creds.apiKey)) return undefined;
    const rec = { ...creds, address: address.toLowerCase(), nonce };
    this.byKey.set(creds.apiKey, rec);
    return rec;
  }

  /** The existing key of (address, nonce), if it was created. */
  derive(address: string, nonce: bigint): KeyRecord | undefined {
    return this.byKey.get(deriveCreds(this.serverSecret, address, nonce).apiKey);
  }

  get(apiKey: string): KeyRecord | undefined {
    return this.byKey.get(apiKey);
  }

  keysOf(address: string): KeyRecord[] {
    return [...this.byKey.values()].filter((k) => k.address === address.toLowerCase());
  }

  /** Checks L2 headers against the raw request; returns the key or the reason for a 401. */
  checkL2(
    headers: Record<string, string | string[] | undefined>, method: string, path: string, body: string, nowSeconds: number, maxSkewSeconds: number,
  ): { ok: true; key: KeyRecord } | { ok: false; error: string } {
    const h = (n: string): string | undefined => {
      const v = headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    const key = this.byKey.get(h('poly_api_key') ?? '');
    if (!key) return { ok: false, error: 'Unauthorized/Invalid api key' };
    const ts = h('poly_timestamp') ?? '';
    if (h('poly_passphrase') !== key.passphrase || (h('poly_address') ?? '').toLowerCase() !== key.address) return { ok: false, error: 'Unauthorized/Invalid api key' };
    if (!/^\d+$/.test(ts) || Math.abs(Number(ts) - nowSeconds) > maxSkewSeconds) return { ok: false, error: 'Unauthorized/Invalid api key: stale timestamp' };
    const expected = l2Signature(key.secret, ts, method, path, body === '' ? undefined : body);
    if (!signatureMatches(expected, h('poly_signature') ?? '')) return { ok: false, error: 'Unauthorized/Invalid api key: bad signature' };
    return { ok: true, key };
  }
}

/** The dead-man switch: once a key has sent a heartbeat, silence longer than the timeout cancels its orders. */
export class Heartbeats {
  private readonly state = new Map<string, { id: string; lastMs: number }>();

  constructor(private readonly timeoutMs: number, private readonly newId: () => string) {}

  /** Accepts "" (start a chain) or the last id issued; answers the next id, or undefined for a wrong one. */
  beat(apiKey: string, heartbeatId: string, nowMs: number): { ok: true; id: string } | { ok: false; current: string | undefined } {
    const cur = this.state.get(apiKey);
    if (heartbeatId !== '' && cur?.id !== heartbeatId) return { ok: false, current: cur?.id };
    const id = this.newId();
    this.state.set(apiKey, { id, lastMs: nowMs });
    return { ok: true, id };
  }

  /** Keys whose switch fired; their chain is reset (a new chain starts with ""). */
  expired(nowMs: number): string[] {
    const out: string[] = [];
    for (const [k, v] of this.state) {
      if (nowMs - v.lastMs > this.timeoutMs) {
        out.push(k);
        this.state.delete(k);
      }
    }
    return out;
  }
}

/** A matching-engine restart: 425 for a while, then a window accepting only cancels and post-only orders. */
export class RestartWindow {
  private unavailableUntil = 0;
  private postOnlyUntil = 0;

  start(nowMs: number, unavailableMs: number, postOnlyMs: number): void {
    this.unavailableUntil = nowMs + unavailableMs;
    this.postOnlyUntil = nowMs + unavailableMs + postOnlyMs;
  }

  phase(nowMs: number): 'down' | 'post-only' | 'normal' {
    if (nowMs < this.unavailableUntil) return 'down';
    if (nowMs < this.postOnlyUntil) return 'post-only';
    return 'normal';
  }
}
