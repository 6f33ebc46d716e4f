/** Every error code thrown anywhere is in the one catalog (core/error-codes.ts). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../core/error-codes.ts';

const root = new URL('../../', import.meta.url).pathname;
const THROWN = /(?:PolyquoteError|LedgerError|SourceError|ClobError|UsageError|FeedError|SimChainError|SettlementError)\(\s*(?:[a-zA-Z.]+,\s*)?'([A-Z][A-Z0-9_]+)'/g;

function sources(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('error-code catalog', () => {
  it('lists every code the code base throws', () => {
    const missing: string[] = [];
    let seen = 0;
    for (const dir of ['core', 'app', 'plugins', 'strategies', 'sim', 'ops', 'cli']) {
      for (const file of sources(join(root, dir))) {
        for (const m of readFileSync(file, 'utf8').matchAll(THROWN)) {
          seen++;
          if (!(m[1]! in ERROR_CODES)) missing.push(`${file.slice(root.length)}: ${m[1]}`);
        }
      }
    }
    expect(seen).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  it('gives every code a description', () => {
    for (const [code, text] of Object.entries(ERROR_CODES)) expect(text.length, code).toBeGreaterThan(5);
  });
});
