import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACT_DIR, buildArtifactFiles } from '../../../sim/chain/build-artifacts.ts';

describe('committed chain artifacts', () => {
  it('are exactly what rebuilding from source (solc) and from viem gives', () => {
    const rebuilt = buildArtifactFiles();
    expect(Object.keys(rebuilt).sort()).toEqual(['Multicall3.json', 'SimCollateral.json']);
    for (const [name, text] of Object.entries(rebuilt)) {
      expect(readFileSync(join(ARTIFACT_DIR, name), 'utf8'), name).toBe(text);
    }
    const collateral = JSON.parse(rebuilt['SimCollateral.json']!) as { bytecode: string; abi: { name?: string }[] };
    expect(collateral.bytecode).toMatch(/^0x[0-9a-f]{200,}$/);
    expect(collateral.abi.map((f) => f.name)).toEqual(expect.arrayContaining(['mint', 'approve', 'transferFrom', 'balanceOf', 'allowance', 'decimals']));
  });
});
