/**
 * Reads a file line by line without loading it whole. A line longer than `maxLineChars` is not
 * buffered whole either: it is yielded cut to `maxLineChars + 1` characters, so the tape reader
 * refuses it by length with its line number instead of the process running out of memory.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { MAX_LINE_CHARS } from '../app/replay/tape-lines.ts';

export async function* fileLines(file: string, maxLineChars = MAX_LINE_CHARS): AsyncIterable<string> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let overlong = false;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) {
    const text = decoder.write(chunk as Buffer);
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      const piece = text.slice(from, nl);
      yield finish(piece);
      from = nl + 1;
    }
    append(text.slice(from));
  }
  append(decoder.end());
  if (partial !== '' || overlong) yield finish('');

  function append(s: string): void {
    if (overlong) return;
    partial += s;
    if (partial.length > maxLineChars) {
      partial = partial.slice(0, maxLineChars + 1);
      overlong = true;
    }
  }
  function finish(tail: string): string {
    let line: string;
    if (overlong) line = partial;
    else {
      line = partial + tail;
      if (line.length > maxLineChars) line = line.slice(0, maxLineChars + 1);
    }
    partial = '';
    overlong = false;
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }
}
