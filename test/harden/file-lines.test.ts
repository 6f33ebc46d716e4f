/** The tape file reader streams, and never buffers an over-long line whole: replay refuses it by its line number. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileLines } from '../../cli/lines.ts';
import { parseConfig } from '../../core/config/load.ts';
import { replayTape } from '../../app/replay/replay.ts';
import { MAX_LINE_CHARS } from '../../app/replay/tape-lines.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { tempDir } from './support.ts';

const { dir, cleanup } = tempDir('pq-harden-lines-');
afterAll(cleanup);

describe('fileLines', () => {
  it('cuts an over-long line to one character past the limit and reads the next lines intact', async () => {
    const file = path.join(dir, 'long.jsonl');
    const ok = JSON.stringify({ at: '2026-01-01T00:00:00Z', kind: 'advance' });
    const huge = JSON.stringify({ at: '2026-01-01T00:00:01Z', kind: 'fill', tradeId: 'x', tokenId: '7', side: 'BUY', price: '0.5', size: '9'.repeat(5_000_000) });
    writeFileSync(file, `${ok}\r\n${huge}\n${ok}`);
    const lines: string[] = [];
    for await (const l of fileLines(file)) lines.push(l);
    expect(lines.map((l) => l.length)).toEqual([ok.length, MAX_LINE_CHARS + 1, ok.length]);
    const skipped: string[] = [];
    const out: unknown[] = [];
    await replayTape({ config: parseConfig('alerts: []\nlog: { level: silent }', new PluginRegistry()), lines: fileLines(file), skipBadLines: true, output: (o) => out.push(o), onSkipped: (e) => skipped.push(e.message) });
    expect(skipped).toEqual([expect.stringMatching(/^tape line 2: expected a line of at most 1000000 characters/)]);
    expect(out).toHaveLength(1);
  });
});
