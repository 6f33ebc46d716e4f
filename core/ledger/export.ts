/**
 * `ledger export` and `ledger inspect`: a ledger's records are tape lines already (tape-format.md),
 * so exporting is streaming each payload as one JSON line, and inspecting is formatting its stats.
 */
import fs from 'node:fs';
import type { Ledger, LedgerStats } from './ledger.ts';

export interface ExportRange {
  readonly fromAt?: number;
  readonly toAt?: number;
  readonly fromSeq?: number;
  readonly toSeq?: number;
}

/** Lines gathered before one write, so a million records are not a million syscalls. */
const CHUNK_LINES = 512;

/**
 * Writes the payload of every record in range as one JSON line, in seq order, streaming through
 * `ledger.iterate` and honouring the stream's backpressure; resolves with the number of lines.
 */
export async function exportTape(ledger: Ledger, out: NodeJS.WritableStream | number, range: ExportRange = {}): Promise<number> {
  const write = typeof out === 'number' ? (s: string) => writeFd(out, s) : (s: string) => writeStream(out, s);
  let lines = 0;
  let chunk: string[] = [];
  for (const r of ledger.iterate((range.fromSeq ?? 1) - 1)) {
    if (range.toSeq !== undefined && r.seq > range.toSeq) break;
    if ((range.fromAt !== undefined && r.at < range.fromAt) || (range.toAt !== undefined && r.at > range.toAt)) continue;
    chunk.push(JSON.stringify(r.payload));
    lines++;
    if (chunk.length >= CHUNK_LINES) {
      await write(`${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length > 0) await write(`${chunk.join('\n')}\n`);
  return lines;
}

function writeFd(fd: number, s: string): Promise<void> {
  const buf = Buffer.from(s, 'utf8');
  for (let off = 0; off < buf.length; ) off += fs.writeSync(fd, buf, off);
  return Promise.resolve();
}

function writeStream(out: NodeJS.WritableStream, s: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.write(s)) return resolve();
    const onDrain = () => {
      out.removeListener('error', onError);
      resolve();
    };
    const onError = (err: Error) => {
      out.removeListener('drain', onDrain);
      reject(err);
    };
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}

/** A readable summary of a ledger for `ledger inspect`. */
export function formatInspect(stats: LedgerStats): string {
  const iso = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString());
  const lines = [`records: ${stats.count} (last seq ${stats.lastSeq})`];
  if (stats.firstAt !== null && stats.lastAt !== null) {
    lines.push(`time span: ${iso(stats.firstAt)} → ${iso(stats.lastAt)} (${formatDuration(stats.lastAt - stats.firstAt)})`);
  } else {
    lines.push('time span: — (no records)');
  }
  const types = Object.entries(stats.byType).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (types.length > 0) {
    const width = Math.max(...types.map(([t]) => t.length));
    lines.push('by type:');
    for (const [t, n] of types) lines.push(`  ${t.padEnd(width)}  ${n}`);
  }
  lines.push(
    stats.lastCheckpoint
      ? `last checkpoint: seq ${stats.lastCheckpoint.seq} at ${iso(stats.lastCheckpoint.at)} (${stats.lastSeq - stats.lastCheckpoint.seq} records after it)`
      : 'last checkpoint: none',
  );
  lines.push(`open gaps: ${stats.openGaps.length}`);
  for (const g of stats.openGaps) {
    lines.push(`  #${g.id} ${g.channel} since ${iso(g.detectedAt)} (seq ${g.detectedSeq}): ${g.reason}`);
  }
  return lines.join('\n');
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, `${s % 60}s`].filter(Boolean);
  return parts.join(' ');
}
