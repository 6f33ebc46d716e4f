/**
 * Generates a realistic, deterministic trading session as tape lines: orders submitted and
 * updated, fills reported MATCHED → MINED → CONFIRMED (some FAILED), chain snapshots that lag the
 * fills and absorb them block by block, and a final snapshot that confirms everything that settled.
 */
const TOKENS = [
  '71321045679252212594626385532706912750332728571942532289631379312455583992563',
  '52114319501245915516055106046884209969926127482827954674443846427813813222426',
  '115792089237316195423570985008687907853269984665640564039457584007913129639935',
];
import { seededRandom as rng } from '../../core/random.ts';


export interface SessionTape {
  readonly lines: string[];
  readonly tokens: readonly string[];
}

/** `steps` trading steps (~6 lines each), starting at 2026-01-01T00:00:00Z. */
export function sessionTape(steps: number, seed = 7): SessionTape {
  const r = rng(seed);
  const lines: string[] = [];
  let t = Date.UTC(2026, 0, 1);
  let block = 81_000_000;
  const settled = new Map<string, number>(TOKENS.map((k) => [k, 1000]));
  const chain = new Map(settled);
  const unsettled: { token: string; delta: number; settleAt: number }[] = [];
  const push = (o: Record<string, unknown>) => lines.push(JSON.stringify({ at: new Date(t).toISOString(), ...o }));
  const snapshot = () => {
    // The chain absorbs fills whose settlement time has come, oldest first.
    for (let i = unsettled.length - 1; i >= 0; i--) {
      const u = unsettled[i]!;
      if (u.settleAt <= t) {
        chain.set(u.token, chain.get(u.token)! + u.delta);
        unsettled.splice(i, 1);
      }
    }
    push({ kind: 'balance', source: 'chain', balances: Object.fromEntries([...chain].map(([k, v]) => [k, String(v)])), block: String(++block) });
  };
  push({ kind: 'connection', channel: 'user', state: 'connected' });
  snapshot();
  for (let s = 0; s < steps; s++) {
    t += 1000;
    const token = TOKENS[Math.floor(r() * TOKENS.length)]!;
    const side = r() < 0.55 ? 'BUY' : 'SELL';
    const size = 5 + Math.floor(r() * 20);
    const price = (0.3 + Math.floor(r() * 40) / 100).toFixed(2);
    const orderId = `0xo${s}`;
    push({ kind: 'submit', orderId, tokenId: token, side, price, size: String(size) });
    push({ kind: 'order', orderId, tokenId: token, side, status: 'LIVE', originalSize: String(size), sizeMatched: '0' });
    t += 200;
    const tradeId = `trade-${s}`;
    const fails = r() < 0.08;
    push({ kind: 'fill', tradeId, orderId, tokenId: token, side, size: String(size), price, status: 'MATCHED' });
    push({ kind: 'order', orderId, status: 'MATCHED', sizeMatched: String(size) });
    t += 300;
    if (fails) {
      push({ kind: 'fill', tradeId, orderId, tokenId: token, side, size: String(size), price, status: 'FAILED' });
    } else {
      push({ kind: 'fill', tradeId, orderId, tokenId: token, side, size: String(size), price, status: 'MINED' });
      unsettled.push({ token, delta: side === 'BUY' ? size : -size, settleAt: t + 1000 + Math.floor(r() * 3000) });
    }
    if (s % 3 === 2) {
      t += 100;
      snapshot();
    }
  }
  t += 10_000;
  for (const u of unsettled) u.settleAt = t;
  snapshot();
  t += 1000;
  snapshot();
  return { lines, tokens: TOKENS };
}
