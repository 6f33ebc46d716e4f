/**
 * Cancels: DELETE /order {"orderID"} for one id, DELETE /orders [ids] in chunks of ≤ 1000,
 * DELETE /cancel-market-orders {market, asset_id?}, DELETE /cancel-all. Cancel-all and
 * cancel-market cost 1 + 1 per order cancelled on the signer's cancel bucket: the extra is charged
 * once the answer says how many went.
 */
import type { CancelOutcome, CancelTarget } from '../../../../core/venue/venue.ts';
import type { ClobHttp, ClobRequest } from './clob-http.ts';
import { cancelResponseSchema } from './schemas.ts';

const MAX_CANCEL_BATCH = 1000;

export async function cancelOrders(http: ClobHttp, charge: (n: number) => void, target: CancelTarget): Promise<CancelOutcome> {
  const call = async (req: ClobRequest, perOrder: boolean): Promise<CancelOutcome> => {
    const r = await http.call(req, cancelResponseSchema);
    const canceled = r.canceled ?? [];
    if (perOrder && canceled.length) charge(canceled.length);
    return { canceled, notCanceled: r.not_canceled ?? {} };
  };
  if ('all' in target) return call({ method: 'DELETE', path: '/cancel-all', auth: 'l2', signer: 'cancels', signerCost: 1 }, true);
  if ('marketId' in target) {
    const body = JSON.stringify({ market: target.marketId, ...(target.tokenId ? { asset_id: target.tokenId } : {}) });
    return call({ method: 'DELETE', path: '/cancel-market-orders', body, auth: 'l2', signer: 'cancels', signerCost: 1 }, true);
  }
  const ids = target.orderIds;
  if (ids.length === 0) return { canceled: [], notCanceled: {} };
  if (ids.length === 1) {
    return call({ method: 'DELETE', path: '/order', body: JSON.stringify({ orderID: ids[0] }), auth: 'l2', signer: 'cancels', signerCost: 1 }, false);
  }
  const canceled: string[] = [];
  const notCanceled: Record<string, string> = {};
  for (let i = 0; i < ids.length; i += MAX_CANCEL_BATCH) {
    const chunk = ids.slice(i, i + MAX_CANCEL_BATCH);
    const r = await call({ method: 'DELETE', path: '/orders', body: JSON.stringify(chunk), auth: 'l2', signer: 'cancels', signerCost: chunk.length }, false);
    canceled.push(...r.canceled);
    Object.assign(notCanceled, r.notCanceled);
  }
  return { canceled, notCanceled };
}
