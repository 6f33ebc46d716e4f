/** Reads a file line by line without loading it whole. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export function fileLines(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
}
