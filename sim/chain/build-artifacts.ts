/**
 * Builds the artifacts the simulator's chain deploys at run time, so that starting it needs no
 * compiler: SimCollateral (compiled from contracts/SimCollateral.sol with the pinned solc-js) and
 * Multicall3 (the canonical creation code shipped inside viem). Run `npx tsx sim/chain/build-artifacts.ts`
 * after changing the contract; a test checks that rebuilding reproduces the committed files byte for byte.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';
import type { Abi, Hex } from 'viem';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

export const ARTIFACT_DIR = join(here, 'artifacts');

export interface ContractArtifact {
  readonly contractName: string;
  /** Where the bytecode comes from (compiler version and settings, or the upstream file). */
  readonly origin: string;
  readonly abi: Abi;
  readonly bytecode: Hex;
}

const SOLC_SETTINGS = { optimizer: { enabled: true, runs: 200 }, evmVersion: 'paris' } as const;

/** Compiles contracts/SimCollateral.sol with solc-js. */
export function compileSimCollateral(): ContractArtifact {
  const source = readFileSync(join(here, 'contracts', 'SimCollateral.sol'), 'utf8');
  const input = {
    language: 'Solidity',
    sources: { 'SimCollateral.sol': { content: source } },
    settings: { ...SOLC_SETTINGS, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  const c = out.contracts?.['SimCollateral.sol']?.['SimCollateral'];
  if (errors.length || !c) throw new Error(`solc failed on SimCollateral.sol:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  return {
    contractName: 'SimCollateral',
    origin: `solc ${solc.version()} ${JSON.stringify(SOLC_SETTINGS)}`,
    abi: c.abi,
    bytecode: `0x${c.evm.bytecode.object}`,
  };
}

/** The canonical Multicall3 creation code, as shipped (unexported) in viem's constants. */
export function multicall3FromViem(): ContractArtifact {
  const file = join(dirname(require.resolve('viem')), '..', '_esm', 'constants', 'contracts.js');
  const m = /multicall3Bytecode = '(0x[0-9a-f]+)'/.exec(readFileSync(file, 'utf8'));
  if (!m) throw new Error(`expected multicall3Bytecode in ${file}, got none`);
  return { contractName: 'Multicall3', origin: 'viem/_esm/constants/contracts.js multicall3Bytecode', abi: [], bytecode: m[1] as Hex };
}

/** The artifact files' exact text, by file name. */
export function buildArtifactFiles(): Record<string, string> {
  const text = (a: ContractArtifact) => `${JSON.stringify(a, null, 2)}\n`;
  return { 'SimCollateral.json': text(compileSimCollateral()), 'Multicall3.json': text(multicall3FromViem()) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, text] of Object.entries(buildArtifactFiles())) {
    writeFileSync(join(ARTIFACT_DIR, name), text);
    console.log(`wrote ${join(ARTIFACT_DIR, name)}`);
  }
}
