/**
 * Puts the simulator's contracts on a fresh anvil at Polygon's real addresses: the real Gnosis
 * ConditionalTokens (npm artifact) at the CTF address, the committed SimCollateral artifact at pUSD's
 * address and the real Multicall3 at its canonical address. Each is deployed normally first, then its
 * runtime code (and the storage its constructor wrote) is copied with anvil_setCode/anvil_setStorageAt.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { encodeAbiParameters, encodeFunctionData, keccak256, pad, parseAbi, type Abi, type Address, type Hex } from 'viem';
import { PolyquoteError } from '../../core/errors.ts';
import type { AnvilRpc } from './anvil-rpc.ts';

const require = createRequire(import.meta.url);

export const POLYGON_CTF: Address = '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045';
export const POLYGON_PUSD: Address = '0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB';
export const MULTICALL3: Address = '0xcA11bde05977b3631167028862bE2a173976CA11';
/** V2 CTF exchanges (protocol doc): they execute settlements here, impersonated, without code. */
export const EXCHANGE_V2: Address = '0xE111180000d2663C0091e4f400237545B87B996B';
export const NEG_RISK_EXCHANGE_V2: Address = '0xe2222d279d744050d28e00520010520000310F59';

interface Artifact { readonly abi: Abi; readonly bytecode: Hex }

function loadArtifact(name: string): Artifact {
  const file = new URL(`./artifacts/${name}.json`, import.meta.url);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Artifact>;
  if (!Array.isArray(parsed.abi) || typeof parsed.bytecode !== 'string' || !parsed.bytecode.startsWith('0x')) {
    throw new PolyquoteError('SIM_CHAIN_ARTIFACT', `expected abi and 0x bytecode in ${file.pathname}, got neither; run npx tsx sim/chain/build-artifacts.ts`, { errorClass: 'fatal' });
  }
  return parsed as Artifact;
}

export const ctfArtifact = require('@gnosis.pm/conditional-tokens-contracts/build/contracts/ConditionalTokens.json') as Artifact;
export const collateralArtifact = loadArtifact('SimCollateral');
export const multicall3Artifact = loadArtifact('Multicall3');

const erc165Abi = parseAbi(['function supportsInterface(bytes4 interfaceId) view returns (bool)']);
/** ERC-165 and ERC-1155 interface ids the CTF constructor registers in ERC165's slot-0 mapping. */
const CTF_INTERFACES: readonly Hex[] = ['0x01ffc9a7', '0xd9b67a26'];

/** Storage slot of `mapping(bytes4 => bool)` at slot 0 for `key` (bytes4 left-aligned in 32 bytes). */
function bytes4MappingSlot(key: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [pad(key, { dir: 'right', size: 32 }), 0n]));
}

async function deployAt(rpc: AnvilRpc, deployer: Address, bytecode: Hex, target: Address, name: string, slots: readonly Hex[] = []): Promise<void> {
  const receipt = await rpc.sendMined({ from: deployer, data: bytecode, gas: 10_000_000n }, `deploying ${name}`);
  const temp = receipt.contractAddress;
  if (!temp) throw new PolyquoteError('SIM_CHAIN_DEPLOY', `sim chain: deploying ${name} gave no contract address`);
  const code = await rpc.request<Hex>('eth_getCode', [temp, 'latest']);
  if (code === '0x') throw new PolyquoteError('SIM_CHAIN_DEPLOY', `sim chain: ${name} deployed at ${temp} has no runtime code`);
  await rpc.request('anvil_setCode', [target, code]);
  for (const slot of slots) {
    const value = await rpc.request<Hex>('eth_getStorageAt', [temp, slot, 'latest']);
    await rpc.request('anvil_setStorageAt', [target, slot, pad(value, { size: 32 })]);
  }
}

export interface SimContracts {
  readonly ctf: Address;
  readonly collateral: Address;
  readonly multicall3: Address;
  readonly exchange: Address;
  readonly negRiskExchange: Address;
  /** The dev account that deployed the contracts and is the oracle of every condition. */
  readonly operator: Address;
}

/** Deploys CTF, collateral and Multicall3 at their Polygon addresses; `operator` pays for it. */
export async function deploySimContracts(rpc: AnvilRpc, operator: Address): Promise<SimContracts> {
  await deployAt(rpc, operator, ctfArtifact.bytecode, POLYGON_CTF, 'ConditionalTokens', CTF_INTERFACES.map(bytes4MappingSlot));
  await deployAt(rpc, operator, collateralArtifact.bytecode, POLYGON_PUSD, 'SimCollateral');
  await deployAt(rpc, operator, multicall3Artifact.bytecode, MULTICALL3, 'Multicall3');
  for (const id of CTF_INTERFACES) {
    const data = encodeFunctionData({ abi: erc165Abi, functionName: 'supportsInterface', args: [id] });
    const ok = await rpc.request<Hex>('eth_call', [{ to: POLYGON_CTF, data }, 'latest']);
    if (BigInt(ok) !== 1n) throw new PolyquoteError('SIM_CHAIN_DEPLOY', `sim chain: CTF copied to ${POLYGON_CTF} does not report interface ${id}`);
  }
  return { ctf: POLYGON_CTF, collateral: POLYGON_PUSD, multicall3: MULTICALL3, exchange: EXCHANGE_V2, negRiskExchange: NEG_RISK_EXCHANGE_V2, operator };
}
