/** The ledger contract, held identically by every kind (memory, sqlite). */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../core/events.ts';
import type { Ledger, LedgerQuery, LedgerRecord } from '../../core/ledger/ledger.ts';
import { codeOf, fillRecord, type Harness, LEDGER_KINDS, recordOf, T0, TOKEN_A, TOKEN_B } from './ledger-harness.ts';

const mixed: InboundEvent[] = [
  { type: 'submit', at: T0 + 1000, orderId: 'o1', tokenId: TOKEN_A, side: 'BUY', price: 500_000n, size: 10_000_000n },
  { type: 'fill', at: T0 + 2000, tradeId: 't1', orderId: 'o1', tokenId: TOKEN_A, side: 'BUY', size: 4_000_000n, price: 500_000n, status: 'MATCHED' },
  { type: 'connection', at: T0 + 3000, channel: 'user', state: 'disconnected' },
  { type: 'fill', at: T0 + 4000, tradeId: 't2', tokenId: TOKEN_B, side: 'SELL', size: 1_000_000n, price: 410_000n, status: 'MATCHED' },
  { type: 'balance', at: T0 + 5000, source: 'chain', balances: new Map([[TOKEN_A, 4_000_000n]]), block: 123n },
  { type: 'fill', at: T0 + 6000, tradeId: 't3', tokenId: TOKEN_A, side: 'SELL', size: 2_000_000n, price: 520_000n, status: 'CONFIRMED' },
];
const mixedRecords = mixed.map((e, i) => recordOf(i + 1, e));
const seqs = (rs: readonly LedgerRecord[]) => rs.map((r) => r.seq);

describe.each(LEDGER_KINDS)('the $kind ledger', ({ make }) => {
  let h: Harness;
  let ledger: Ledger;
  beforeEach(() => {
    h = make();
    ledger = h.ledger;
  });
  afterEach(() => h.cleanup());

  it('opens empty with last seq 0', () => {
    expect(ledger.open()).toEqual({ lastSeq: 0 });
  });

  it('refuses appends before open', () => {
    expect(codeOf(() => ledger.append(fillRecord(1)))).toBe('LEDGER_NOT_OPEN');
  });

  it('returns appended records in seq order with payloads equal to what was appended', () => {
    ledger.open();
    for (const r of mixedRecords) ledger.append(r);
    expect(ledger.query({})).toEqual(mixedRecords);
    expect([...ledger.iterate(0)]).toEqual(mixedRecords);
  });

  it('keeps a copy of the payload, unaffected by later changes to the object', () => {
    ledger.open();
    const r = fillRecord(1);
    ledger.append(r);
    (r.payload as Record<string, unknown>).size = '999';
    expect(ledger.query({})[0]!.payload.size).toBe('12.5');
  });

  it('rejects a seq that does not increase and keeps accepting higher ones', () => {
    ledger.open();
    ledger.append(fillRecord(5));
    expect(codeOf(() => ledger.append(fillRecord(5)))).toBe('LEDGER_SEQ_ORDER');
    expect(codeOf(() => ledger.append(fillRecord(3)))).toBe('LEDGER_SEQ_ORDER');
    expect(codeOf(() => ledger.append({ ...fillRecord(6), seq: 6.5 }))).toBe('LEDGER_SEQ_ORDER');
    ledger.append(fillRecord(7));
    expect(seqs(ledger.query({}))).toEqual([5, 7]);
  });

  it('rejects a payload JSON cannot encode without consuming its seq', () => {
    ledger.open();
    expect(codeOf(() => ledger.append({ ...fillRecord(1), payload: { size: 1n } }))).toBe('LEDGER_RECORD_INVALID');
    ledger.append(fillRecord(1));
    expect(seqs(ledger.query({}))).toEqual([1]);
  });

  it.each<[string, LedgerQuery, number[]]>([
    ['by type', { types: ['fill'] }, [2, 4, 6]],
    ['by several types', { types: ['submit', 'balance'] }, [1, 5]],
    ['by no type at all', { types: [] }, []],
    ['by token', { tokenId: TOKEN_A }, [1, 2, 6]],
    ['by type and token', { types: ['fill'], tokenId: TOKEN_B }, [4]],
    ['by time range, both ends included', { fromAt: T0 + 2000, toAt: T0 + 4000 }, [2, 3, 4]],
    ['by seq range, both ends included', { fromSeq: 3, toSeq: 5 }, [3, 4, 5]],
    ['with a limit, oldest first', { types: ['fill'], limit: 2 }, [2, 4]],
    ['with a limit of zero', { limit: 0 }, []],
  ])('queries %s', (_, q, expected) => {
    ledger.open();
    for (const r of mixedRecords) ledger.append(r);
    expect(seqs(ledger.query(q))).toEqual(expected);
  });

  it('iterates only records after the given seq, lazily', () => {
    ledger.open();
    for (const r of mixedRecords) ledger.append(r);
    expect(seqs([...ledger.iterate(4)])).toEqual([5, 6]);
    const taken: number[] = [];
    for (const r of ledger.iterate(0)) {
      taken.push(r.seq);
      if (taken.length === 2) break;
    }
    expect(taken).toEqual([1, 2]);
  });

  it('stores the latest checkpoint, replacing one at the same seq', () => {
    ledger.open();
    expect(ledger.latestCheckpoint()).toBeUndefined();
    for (const r of mixedRecords) ledger.append(r);
    ledger.writeCheckpoint({ seq: 3, at: T0 + 3000, state: { positions: { [TOKEN_A]: '4' } } });
    ledger.writeCheckpoint({ seq: 6, at: T0 + 6000, state: { v: 1 } });
    ledger.writeCheckpoint({ seq: 6, at: T0 + 7000, state: { v: 2 } });
    expect(ledger.latestCheckpoint()).toEqual({ seq: 6, at: T0 + 7000, state: { v: 2 } });
  });

  it('rejects a checkpoint beyond the last seq or behind the latest checkpoint', () => {
    ledger.open();
    ledger.append(fillRecord(1));
    ledger.append(fillRecord(2));
    expect(codeOf(() => ledger.writeCheckpoint({ seq: 3, at: T0, state: {} }))).toBe('LEDGER_CHECKPOINT_INVALID');
    ledger.writeCheckpoint({ seq: 2, at: T0, state: {} });
    expect(codeOf(() => ledger.writeCheckpoint({ seq: 1, at: T0, state: {} }))).toBe('LEDGER_CHECKPOINT_INVALID');
  });

  it('tracks gaps until a snapshot resolves them all', () => {
    ledger.open();
    const a = ledger.recordGap({ channel: 'user', reason: 'sequence jump', detectedAt: T0 + 1000, detectedSeq: 4 });
    const b = ledger.recordGap({ channel: 'market', reason: 'reconnect', detectedAt: T0 + 2000, detectedSeq: 7 });
    expect(b).toBeGreaterThan(a);
    expect(ledger.openGaps().map((g) => [g.id, g.channel, g.resolvedAt])).toEqual([[a, 'user', null], [b, 'market', null]]);
    expect(ledger.resolveGaps({ resolvedAt: T0 + 3000, resolvedBySeq: 9, resolution: 'chain snapshot' })).toBe(2);
    expect(ledger.openGaps()).toEqual([]);
    expect(ledger.resolveGaps({ resolvedAt: T0 + 4000, resolvedBySeq: 10, resolution: 'again' })).toBe(0);
  });

  it('reports stats: counts by type, time span, last seq, open gaps and last checkpoint', () => {
    ledger.open();
    for (const r of mixedRecords) ledger.append(r);
    ledger.writeCheckpoint({ seq: 5, at: T0 + 5000, state: {} });
    ledger.recordGap({ channel: 'user', reason: 'jump', detectedAt: T0 + 5500, detectedSeq: 5 });
    const s = ledger.stats();
    expect(s).toMatchObject({ count: 6, firstAt: T0 + 1000, lastAt: T0 + 6000, lastSeq: 6, lastCheckpoint: { seq: 5, at: T0 + 5000 } });
    expect(s.byType).toEqual({ submit: 1, fill: 3, connection: 1, balance: 1 });
    expect(s.openGaps.map((g) => g.reason)).toEqual(['jump']);
  });

  it('compacts only old records the latest checkpoint covers, keeping three checkpoints and open gaps', () => {
    ledger.open();
    for (let seq = 1; seq <= 10; seq++) ledger.append(fillRecord(seq)); // at = T0 + seq s
    expect(ledger.compact(T0 + 100_000)).toBe(0); // no checkpoint yet: nothing is deletable
    for (const seq of [2, 4, 5, 6]) ledger.writeCheckpoint({ seq, at: T0 + seq * 1000, state: { seq } });
    const old = ledger.recordGap({ channel: 'user', reason: 'old', detectedAt: T0, detectedSeq: 1 });
    ledger.resolveGaps({ resolvedAt: T0 + 1500, resolvedBySeq: 2, resolution: 'snapshot' });
    const open = ledger.recordGap({ channel: 'user', reason: 'open', detectedAt: T0, detectedSeq: 1 });
    expect(ledger.compact(T0 + 4000)).toBe(3); // seq 1-3: older than 4 s and ≤ checkpoint 6
    expect(seqs(ledger.query({}))).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(ledger.compact(T0 + 100_000)).toBe(3); // seq 4-6; 7-10 come after the checkpoint
    expect(seqs(ledger.query({}))).toEqual([7, 8, 9, 10]);
    expect(ledger.latestCheckpoint()).toEqual({ seq: 6, at: T0 + 6000, state: { seq: 6 } });
    expect(ledger.openGaps().map((g) => g.id)).toEqual([open]);
    expect(old).not.toBe(open);
  });

  it('still reports the last seq after compaction removed every record', () => {
    ledger.open();
    for (let seq = 1; seq <= 4; seq++) ledger.append(fillRecord(seq));
    ledger.writeCheckpoint({ seq: 4, at: T0 + 4000, state: {} });
    expect(ledger.compact(T0 + 100_000)).toBe(4);
    expect(h.reopen().open()).toEqual({ lastSeq: 4 });
    expect(codeOf(() => h.ledger.append(fillRecord(4)))).toBe('LEDGER_SEQ_ORDER');
  });

  it('keeps everything appended across close and open', () => {
    ledger.open();
    for (const r of mixedRecords) ledger.append(r);
    ledger.close();
    const again = h.reopen();
    expect(again.open()).toEqual({ lastSeq: 6 });
    expect(again.query({})).toEqual(mixedRecords);
  });

  it('answers any query like a plain filter over the appended records', () => {
    ledger.open();
    const all: LedgerRecord[] = [];
    let seq = 0;
    const tokens = [TOKEN_A, TOKEN_B, null];
    const types = ['fill', 'order', 'book'];
    for (let i = 0; i < 60; i++) {
      seq += 1 + (i % 3);
      const r: LedgerRecord = { seq, type: types[i % 3]!, tokenId: tokens[(i * 7) % 3]!, at: T0 + Math.floor(i / 2) * 1000, payload: { at: i, kind: 'x' } };
      ledger.append(r);
      all.push(r);
    }
    const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    const query = fc.record({
      types: opt(fc.subarray(types)),
      tokenId: opt(fc.constantFrom(TOKEN_A, TOKEN_B)),
      fromAt: opt(fc.integer({ min: T0 - 1000, max: T0 + 31_000 })),
      toAt: opt(fc.integer({ min: T0 - 1000, max: T0 + 31_000 })),
      fromSeq: opt(fc.integer({ min: 0, max: 130 })),
      toSeq: opt(fc.integer({ min: 0, max: 130 })),
      limit: opt(fc.integer({ min: 0, max: 70 })),
    });
    fc.assert(
      fc.property(query, (q) => {
        const expected = all
          .filter((r) => (!q.types || q.types.includes(r.type)) && (q.tokenId === undefined || r.tokenId === q.tokenId))
          .filter((r) => (q.fromAt === undefined || r.at >= q.fromAt) && (q.toAt === undefined || r.at <= q.toAt))
          .filter((r) => (q.fromSeq === undefined || r.seq >= q.fromSeq) && (q.toSeq === undefined || r.seq <= q.toSeq))
          .slice(0, q.limit ?? Infinity);
        expect(seqs(ledger.query(q))).toEqual(seqs(expected));
      }),
      { numRuns: 200 },
    );
  });
});
