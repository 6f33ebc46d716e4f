import { describe, expect, it } from 'vitest';
import { FeedError } from '../../../../core/errors.ts';
import { normalizeOrderStatus, normalizeTradeStatus } from '../../../../plugins/venue/polymarket/feeds/statuses.ts';

describe('normalizeOrderStatus', () => {
  it.each([
    { description: 'plain LIVE', raw: 'LIVE', want: { status: 'LIVE' } },
    { description: 'lower-case answer of POST /order', raw: 'live', want: { status: 'LIVE' } },
    { description: 'DELAYED is open', raw: 'DELAYED', want: { status: 'DELAYED' } },
    { description: 'MATCHED', raw: 'MATCHED', want: { status: 'MATCHED' } },
    { description: 'CANCELED', raw: 'CANCELED', want: { status: 'CANCELED' } },
    { description: 'British spelling', raw: 'CANCELLED', want: { status: 'CANCELED' } },
    { description: 'INVALID', raw: 'INVALID', want: { status: 'INVALID' } },
    { description: 'UNMATCHED', raw: 'unmatched', want: { status: 'UNMATCHED' } },
    { description: 'market resolved cause', raw: 'CANCELED_MARKET_RESOLVED', want: { status: 'CANCELED', reason: 'MARKET_RESOLVED' } },
    { description: 'reason suffix with spaces and case kept', raw: "CANCELED_order couldn't be fully filled", want: { status: 'CANCELED', reason: "order couldn't be fully filled" } },
    { description: 'ORDER_STATUS_ prefix', raw: 'ORDER_STATUS_LIVE', want: { status: 'LIVE' } },
    { description: 'EXPIRED and REJECTED are known too', raw: 'EXPIRED', want: { status: 'EXPIRED' } },
  ])('$description: $raw', ({ raw, want }) => {
    expect(normalizeOrderStatus(raw)).toEqual(want);
  });

  it.each([['LIVELY'], ['CANCELED_'], [''], [null], [3], ['PENDING']])('rejects %j with a FeedError quoting it', (raw) => {
    const err = (() => { try { normalizeOrderStatus(raw); } catch (e) { return e; } return undefined; })();
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).message).toContain(`got ${JSON.stringify(raw) ?? 'nothing'}`);
  });
});

describe('normalizeTradeStatus', () => {
  it.each([
    ['MATCHED', 'MATCHED', false], ['MINED', 'MINED', false], ['CONFIRMED', 'CONFIRMED', false], ['RETRYING', 'RETRYING', false],
    ['FAILED', 'FAILED', false], ['TRADE_STATUS_CONFIRMED', 'CONFIRMED', false], ['MATCHED_NOT_BROADCASTED', 'MATCHED', true],
    ['trade_status_mined', 'MINED', false],
  ])('%s → %s (provisional %s)', (raw, status, provisional) => {
    expect(normalizeTradeStatus(raw)).toEqual({ status, provisional });
  });

  it.each([['SETTLED'], ['TRADE_STATUS_'], [undefined]])('rejects %j', (raw) => {
    expect(() => normalizeTradeStatus(raw)).toThrow(FeedError);
  });
});
