/**
 * Order admission: an order passes when the risk decision allows its side and the position limits
 * allow its size. Blocked orders are logged with the full exposure breakdown.
 */
import { formatMicros, type Micros } from '../amounts.ts';
import type { Side } from '../events.ts';
import type { Logger } from '../logger.ts';
import { adjustedSize, checkBuy, checkSell, describeCheck, type AdmissionCheck } from '../risk/limits.ts';
import type { RiskEngine } from '../risk/risk-engine.ts';
import type { PositionView } from './views.ts';

/** No configured limit: large enough never to bind. */
const UNLIMITED = 1n << 200n;

export class OrderAdmission {
  constructor(
    private readonly position: (tokenId: string) => PositionView,
    private readonly risk: RiskEngine,
    private readonly limitFor: ((tokenId: string) => Micros) | undefined,
    private readonly logger: Logger,
  ) {}

  /** Checks an order against the risk decision and the position limits. */
  admit(side: Side, tokenId: string, size: Micros, log = true): AdmissionCheck & { reason?: string } {
    const p = this.position(tokenId);
    const b = { confirmed: p.confirmed, pendingFillBuys: p.pendingBuys, pendingFillSells: p.pendingSells, pendingOrderBuys: p.pendingOrderBuys };
    const check = side === 'BUY' ? checkBuy(b, size, this.limitFor?.(tokenId) ?? UNLIMITED) : checkSell(b, size);
    const decision = this.risk.decisionFor(tokenId);
    const sideAllowed = decision.allowedSides.includes(side);
    const allowed = check.allowed && sideAllowed;
    if (!allowed && log) {
      this.logger.warn(
        { tokenId, side, size: formatMicros(size), mode: decision.mode, reasons: decision.reasons, breakdown: describeCheck(check) },
        `${side} blocked: ${sideAllowed ? describeCheck(check) : `risk ${decision.mode} allows ${decision.allowedSides.join('/') || 'no side'}`}`,
      );
    }
    return { ...check, allowed, ...(!sideAllowed && { reason: `risk:${decision.reasons.join(',')}` }) };
  }

  /** Shrinks an order to what the limits and the risk decision allow (0 = do not send). */
  adjustedOrderSize(side: Side, tokenId: string, size: Micros): Micros {
    if (!this.risk.decisionFor(tokenId).allowedSides.includes(side)) return 0n;
    return adjustedSize(this.admit(side, tokenId, size, false));
  }
}
