import { spawnSync } from 'node:child_process';
import { hexToBigInt, sha256, stringToHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { PolyquoteError } from '../../core/errors.ts';
import { abVariant } from '../../strategies/ab.ts';

const ids = Array.from({ length: 10_000 }, (_, i) => `0x${hexToBigInt(sha256(stringToHex(`market-${i}`))).toString(16).padStart(64, '0')}`);

/** An independent implementation (viem's sha256) of the documented rule. */
function reference(id: string, salt: string, a: bigint, b: bigint): 'A' | 'B' {
  for (let x = a, y = b; ; ) {
    if (y === 0n) {
      a /= x;
      b /= x;
      break;
    }
    [x, y] = [y, x % y];
  }
  const h = sha256(stringToHex(`${salt}\u0000${id.toLowerCase()}`));
  return hexToBigInt(h.slice(0, 18) as `0x${string}`) % (a + b) < a ? 'A' : 'B';
}

describe('abVariant', () => {
  it('follows the documented hash rule (checked against an independent sha256)', () => {
    for (const id of ids.slice(0, 500)) expect(abVariant(id, { salt: 's1', split: { A: 30, B: 70 } })).toBe(reference(id, 's1', 30n, 70n));
  });

  it.each([
    { id: `0x${'ab'.repeat(32)}`, split: { A: 86, B: 14 }, v: 'A' },
    { id: `0x${'ab'.repeat(32)}`, split: { A: 83, B: 17 }, v: 'B' },
    { id: `0x${'01'.repeat(32)}`, split: { A: 83, B: 17 }, v: 'A' },
    { id: `0x${'ff'.repeat(32)}`, split: { A: 67, B: 33 }, v: 'B' },
    { id: `0x${'ff'.repeat(32)}`, split: { A: 69, B: 31 }, v: 'A' },
    { id: `0x${'ab'.repeat(32)}`, split: { A: '0.83', B: '0.17' }, v: 'B' },
  ])('pinned: $id with $split.A/$split.B is $v (stable across versions)', ({ id, split, v }) => {
    expect(abVariant(id, { salt: 'exp-1', split })).toBe(v);
  });

  it('is the same in another process', () => {
    const script = `import { abVariant } from './strategies/ab.ts'; process.stdout.write(JSON.stringify(${JSON.stringify(ids.slice(0, 50))}.map((id) => abVariant(id, { salt: 'x', split: { A: 1, B: 1 } }))));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 15_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(ids.slice(0, 50).map((id) => abVariant(id, { salt: 'x', split: { A: 1, B: 1 } })));
  });

  it.each([
    { A: 50, B: 50 }, { A: 30, B: 70 }, { A: 1, B: 9 }, { A: '0.25', B: '0.75' },
  ])('splits many ids in proportion ($A : $B)', (split) => {
    const share = ids.filter((id) => abVariant(id, { salt: 'prop', split }) === 'A').length / ids.length;
    const want = Number(split.A) / (Number(split.A) + Number(split.B));
    expect(Math.abs(share - want)).toBeLessThan(0.025);
  });

  it('depends only on the ratio of the weights', () => {
    for (const id of ids.slice(0, 300)) {
      const v = abVariant(id, { salt: 'r', split: { A: 1, B: 3 } });
      expect([abVariant(id, { salt: 'r', split: { A: 25, B: 75 } }), abVariant(id, { salt: 'r', split: { A: '0.25', B: '0.75' } })]).toEqual([v, v]);
    }
  });

  it('a zero weight never picks that variant', () => {
    expect(ids.slice(0, 1000).every((id) => abVariant(id, { salt: 's', split: { A: 0, B: 1 } }) === 'B')).toBe(true);
    expect(ids.slice(0, 1000).every((id) => abVariant(id, { salt: 's', split: { A: 5, B: 0 } }) === 'A')).toBe(true);
  });

  it('ignores the case of a condition id, and the salt reshuffles', () => {
    const id = ids[7]!;
    expect(abVariant(id.toUpperCase().replace('0X', '0x'), { salt: 's', split: { A: 1, B: 1 } })).toBe(abVariant(id, { salt: 's', split: { A: 1, B: 1 } }));
    const a = ids.slice(0, 400).map((x) => abVariant(x, { salt: 'one', split: { A: 1, B: 1 } }));
    const b = ids.slice(0, 400).map((x) => abVariant(x, { salt: 'two', split: { A: 1, B: 1 } }));
    const moved = a.filter((v, i) => v !== b[i]).length;
    expect(moved).toBeGreaterThan(120);
    expect(moved).toBeLessThan(280);
  });

  it.each([
    { description: 'both weights zero', id: ids[0]!, split: { A: 0, B: 0 }, code: 'AB_SPLIT_INVALID' },
    { description: 'a negative weight', id: ids[0]!, split: { A: -1, B: 2 }, code: 'AMOUNT_NEGATIVE' },
    { description: 'a non-numeric weight', id: ids[0]!, split: { A: 'half', B: 1 }, code: 'AMOUNT_INVALID' },
    { description: 'an empty market id', id: '  ', split: { A: 1, B: 1 }, code: 'AB_MARKET_INVALID' },
  ])('rejects $description with a clear error', ({ id, split, code }) => {
    let err: unknown;
    try {
      abVariant(id, { salt: 's', split });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolyquoteError);
    expect((err as PolyquoteError).code).toBe(code);
    expect((err as Error).message).toMatch(/abVariant/);
  });
});
