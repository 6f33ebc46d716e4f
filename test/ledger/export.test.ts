/** Export writes a valid tape; inspect summarises a ledger. */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../core/events.ts';
import { exportTape, formatInspect } from '../../core/ledger/export.ts';
import type { Ledger, LedgerStats } from '../../core/ledger/ledger.ts';
import { decodeEventLine } from '../../core/tape-codec.ts';
import { type Harness, LEDGER_KINDS, recordOf, T0, tempDir, TOKEN_A, TOKEN_B } from './ledger-harness.ts';

const events: InboundEvent[] = [
  { type: 'submit', at: T0 + 1000, orderId: 'o1', tokenId: TOKEN_A, side: 'BUY', price: 500_000n, size: 10_000_000n },
  { type: 'fill', at: T0 + 2000, tradeId: 't1', orderId: 'o1', tokenId: TOKEN_A, side: 'BUY', size: 4_000_001n, price: 500_000n, status: 'MATCHED' },
  { type: 'order', at: T0 + 2500, orderId: 'o1', tokenId: TOKEN_A, side: 'BUY', status: 'LIVE', originalSize: 10_000_000n, sizeMatched: 4_000_001n },
  { type: 'connection', at: T0 + 3000, channel: 'user', state: 'disconnected' },
  { type: 'gap', at: T0 + 3500, channel: 'user', reason: 'sequence jump' },
  { type: 'balance', at: T0 + 5000, source: 'chain', balances: new Map([[TOKEN_A, 4_000_001n], [TOKEN_B, 0n]]), block: 123_456n },
  { type: 'source_error', at: T0 + 6000, source: 'rest', error: 'HTTP 502' },
  { type: 'book', at: T0 + 7000, tokenId: TOKEN_B, bids: [[410_000n, 100_000_000n]], asks: [[420_000n, 50_000_000n]], tickSize: 10_000n },
  { type: 'cancel', at: T0 + 8000, orderId: 'o1' },
];

async function exportLines(ledger: Ledger, range = {}): Promise<{ n: number; lines: string[] }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const n = await exportTape(ledger, out, range);
  out.end();
  const text = Buffer.concat(chunks).toString('utf8');
  return { n, lines: text.split('\n').filter((l) => l !== '') };
}

describe.each(LEDGER_KINDS)('exporting the $kind ledger', ({ make }) => {
  let h: Harness;
  beforeEach(() => {
    h = make();
    h.ledger.open();
    events.forEach((e, i) => h.ledger.append(recordOf(i + 1, e)));
  });
  afterEach(() => h.cleanup());

  it('writes a tape whose lines decode back to the events appended', async () => {
    const { n, lines } = await exportLines(h.ledger);
    expect(n).toBe(events.length);
    expect(lines.map((l) => decodeEventLine(JSON.parse(l) as Record<string, unknown>))).toEqual(events);
  });

  it('exports only the requested seq and time range', async () => {
    expect((await exportLines(h.ledger, { fromSeq: 2, toSeq: 5 })).lines.map((l) => JSON.parse(l).kind)).toEqual(['fill', 'order', 'connection', 'gap']);
    expect((await exportLines(h.ledger, { fromAt: T0 + 5000, toAt: T0 + 7000 })).n).toBe(3);
  });

  it('writes to a file descriptor', async () => {
    const tmp = tempDir();
    try {
      const target = path.join(tmp.dir, 'tape.jsonl');
      const fd = fs.openSync(target, 'w');
      const n = await exportTape(h.ledger, fd);
      fs.closeSync(fd);
      const lines = fs.readFileSync(target, 'utf8').trimEnd().split('\n');
      expect(n).toBe(events.length);
      expect(decodeEventLine(JSON.parse(lines[1]!) as Record<string, unknown>)).toEqual(events[1]);
    } finally {
      tmp.remove();
    }
  });
});

describe('formatInspect', () => {
  it('summarises counts by type, the time span, the last checkpoint and open gaps', () => {
    const stats: LedgerStats = {
      count: 12, firstAt: T0, lastAt: T0 + 3_723_000, lastSeq: 14,
      byType: { fill: 7, book: 3, balance: 2 },
      openGaps: [{ id: 3, channel: 'user', reason: 'sequence jump', detectedAt: T0 + 60_000, detectedSeq: 9, resolvedAt: null, resolvedBySeq: null, resolution: null }],
      lastCheckpoint: { seq: 10, at: T0 + 3_600_000 },
    };
    expect(formatInspect(stats)).toBe(
      [
        'records: 12 (last seq 14)',
        'time span: 2026-01-01T00:00:00.000Z → 2026-01-01T01:02:03.000Z (1h 2m 3s)',
        'by type:',
        '  fill     7',
        '  book     3',
        '  balance  2',
        'last checkpoint: seq 10 at 2026-01-01T01:00:00.000Z (4 records after it)',
        'open gaps: 1',
        '  #3 user since 2026-01-01T00:01:00.000Z (seq 9): sequence jump',
      ].join('\n'),
    );
  });

  it('says so when the ledger is empty', () => {
    const text = formatInspect({ count: 0, firstAt: null, lastAt: null, lastSeq: 0, byType: {}, openGaps: [], lastCheckpoint: null });
    expect(text).toBe('records: 0 (last seq 0)\ntime span: — (no records)\nlast checkpoint: none\nopen gaps: 0');
  });
});
