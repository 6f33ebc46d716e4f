/** Tapes carrying raw venue frames (user_ws, market_ws) go through the Polymarket connector's parsers. */
import { describe, expect, it } from 'vitest';
import { replayTape } from '../../app/replay/replay.ts';
import { parseConfig } from '../../core/config/load.ts';
import { createMemoryLogger } from '../../core/logger.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { fixture } from '../venue/polymarket/feeds/fixtures.ts';

const fx = fixture;
const TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';

async function replay(lines: object[]) {
  const config = parseConfig('identity: { funder: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266" }\nalerts: []\nlog: { level: silent }\n', new PluginRegistry());
  const out: Record<string, any>[] = [];
  const problems: string[] = [];
  const r = await replayTape({
    config, lines: (async function* () { for (const l of lines) yield JSON.stringify(l); })(), skipBadLines: false, logger: createMemoryLogger('silent').logger,
    output: (l) => out.push(l as Record<string, any>), onFrameProblem: (line, m) => problems.push(`${line}: ${m}`),
  });
  return { r, out, problems };
}

describe('replay of raw venue frames', () => {
  it('attributes our taker fill from a user_ws trade frame and keeps books from market_ws frames', async () => {
    const trade = fx('ws_user_trade_msg.json');
    const { out, problems } = await replay([
      { at: 1000, kind: 'submit', orderId: trade.taker_order_id as string, tokenId: TOKEN, side: 'BUY', price: '0.5', size: '25' },
      { at: 2000, kind: 'user_ws', frame: trade },
      { at: 3000, kind: 'market_ws', frame: fx('ws_market_book_msg.json') },
      { at: 4000, kind: 'user_ws', frame: [trade] },
      { at: 5000, kind: 'query', tokenId: TOKEN },
    ]);
    expect(problems).toEqual([]);
    const q = out.at(-2)!;
    // One fill of 25 (the re-sent frame is the same trade: counted once), reserved size used up.
    expect(q.positions[TOKEN]).toMatchObject({ pendingBuys: 25, effective: 25, pendingOrderBuys: 0 });
  });

  it('reports an event it cannot understand inside a frame and goes on; a frame that is no object is a bad line', async () => {
    const { problems, out } = await replay([
      { at: 1000, kind: 'user_ws', frame: { event_type: 'trade', id: 't', status: 'WEIRD' } },
      { at: 2000, kind: 'query', tokenId: TOKEN },
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^1: /);
    expect(out.at(-2)!.positions[TOKEN]).toMatchObject({ effective: 0 });
    await expect(replay([{ at: 1000, kind: 'user_ws', frame: 'PONG' }])).rejects.toThrow(/tape line 1: expected frame to be the JSON object or array/);
  });
});
