/**
 * The loopback control endpoint for the chaos suite: faults in, ground truth out.
 *   GET  /_control/trades     every trade of every account with its fills, ops and status
 *   GET  /_control/exposures  each accepted order's conservative exposure of its submitter
 *   GET  /_control/faults     the current fault plan; POST replaces it
 *        body {ws?, rest?, rpc?, positionsLagMs?, settlementDelayMs?, failRate?}
 *   POST /_control/restart    {unavailableMs?, postOnlyMs?}: a matching-engine restart
 *   POST /_control/disconnect close every websocket
 *   POST /_control/resolve    {conditionId, winner: 0|1}: cancel its orders as CANCELED_MARKET_RESOLVED
 */
import { formatMicros } from '../../core/amounts.ts';
import type { ServerContext } from './context.ts';
import { err, jsonBody, ok, type Answer, type Req } from './http-util.ts';

export async function control(ctx: ServerContext, r: Req): Promise<Answer> {
  const j = jsonBody(r.rawBody);
  if (!j.ok) return err(400, j.error);
  const body = (j.value ?? {}) as Record<string, unknown>;
  const id = `${r.method} ${r.path}`;
  switch (id) {
    case 'GET /_control/trades':
      return ok(ctx.engine.allTrades().map((t) => ({
        id: t.id, status: t.status, conditionId: t.conditionId, takerOrderId: t.takerOrderId, takerOwner: t.takerOwner, taker: t.taker,
        tokenId: t.tokenId, side: t.side, size: formatMicros(t.size), price: formatMicros(t.price), takerCollateral: formatMicros(t.takerCollateral),
        matchTimeMs: t.matchTimeMs, lastUpdateMs: t.lastUpdateMs, transactionHash: t.transactionHash,
        makers: t.makers.map((f) => ({ ...f, price: formatMicros(f.price), shares: formatMicros(f.shares) })),
        ops: ctx.engine.opsOf(t),
      })));
    case 'GET /_control/exposures':
      return ok(ctx.engine.exposures);
    case 'GET /_control/faults':
      return ok({ ...ctx.faults.get(), positionsLagMs: ctx.runtime.positionsLagMs, settlementDelayMs: ctx.lifecycle.settlementDelayMs, failRate: ctx.engine.failRate });
    case 'POST /_control/faults': {
      try {
        const { rpc, positionsLagMs, settlementDelayMs, failRate, ...rest } = body;
        const nonNeg = (v: unknown, name: string) => {
          if (v !== undefined && (typeof v !== 'number' || !(v >= 0))) throw new Error(`expected a non-negative number at ${name}, got ${JSON.stringify(v)}`);
          return v as number | undefined;
        };
        const lag = nonNeg(positionsLagMs, 'positionsLagMs');
        const delay = nonNeg(settlementDelayMs, 'settlementDelayMs');
        const fr = nonNeg(failRate, 'failRate');
        if (fr !== undefined && fr > 1) throw new Error(`expected failRate in [0, 1], got ${fr}`);
        const plan = ctx.faults.set(rest);
        if (rpc !== undefined) ctx.hooks.setChainFaults(rpc);
        if (lag !== undefined) ctx.runtime.positionsLagMs = lag;
        if (delay !== undefined) ctx.lifecycle.settlementDelayMs = delay;
        if (fr !== undefined) ctx.engine.failRate = fr;
        return ok(plan);
      } catch (e) {
        return err(400, `invalid faults: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    case 'POST /_control/restart': {
      const c = ctx.config.restart;
      const un = typeof body.unavailableMs === 'number' ? body.unavailableMs : c.unavailableMs;
      const po = typeof body.postOnlyMs === 'number' ? body.postOnlyMs : c.postOnlyMs;
      ctx.restart.start(ctx.now(), un, po);
      return ok({ unavailableMs: un, postOnlyMs: po });
    }
    case 'POST /_control/disconnect':
      return ok({ closed: ctx.hooks.disconnectAll() });
    case 'POST /_control/resolve': {
      const cid = typeof body.conditionId === 'string' ? body.conditionId.toLowerCase() : '';
      if (!ctx.engine.market(cid)) return err(400, `unknown conditionId ${JSON.stringify(body.conditionId)}`);
      const winner = body.winner === 1 ? 1 : 0;
      return ok({ canceled: ctx.hooks.resolveMarket(cid, winner) });
    }
  }
  return err(404, `no control route ${id}`);
}
