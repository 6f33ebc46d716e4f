/**
 * Deploys the real Gnosis ConditionalTokens contract (from its npm artifact), the simulator's
 * 6-decimal collateral (sim/chain/contracts/SimCollateral.sol, from its committed artifact, which
 * test/sim/chain/artifacts.test.ts rebuilds with solc) and the real Multicall3 (viem's creation
 * bytecode, installed at its canonical address with anvil_setCode) onto an anvil node, prepares binary conditions and splits collateral so the
 * funder really holds outcome tokens. Position ids are computed on-chain and cross-checked locally.
 */
import {
  createPublicClient, createWalletClient, defineChain, encodePacked, http, keccak256, parseAbi, toHex,
  type Abi, type Address, type Hex, type PublicClient,
} from 'viem';
import { collateralArtifact, ctfArtifact, MULTICALL3, multicall3Artifact } from '../../sim/chain/deploy.ts';

/** Multicall3's address on every EVM chain it is deployed to (Polygon included). */
export const MULTICALL3_ADDRESS: Address = MULTICALL3;
const ZERO32: Hex = `0x${'00'.repeat(32)}`;

const collateralAbi = parseAbi([
  'function mint(address to, uint256 amount)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function balanceOf(address) view returns (uint256)',
]);

export interface FixtureCondition {
  readonly questionId: Hex;
  readonly conditionId: Hex;
  /** Position ids of outcome 0 (indexSet 1) and outcome 1 (indexSet 2), decimal strings. */
  readonly tokenIds: readonly [string, string];
}

export interface CtfFixture {
  readonly ctf: Address;
  readonly collateral: Address;
  readonly multicall: Address;
  readonly funder: Address;
  /** A second dev account that receives tokens moved away from the funder. */
  readonly other: Address;
  readonly conditions: readonly FixtureCondition[];
  /** Every funder position id, two per condition, decimal strings. */
  readonly tokenIds: readonly string[];
  /** Micro-shares of each outcome the funder received from its split. */
  readonly splitAmount: bigint;
  readonly publicClient: PublicClient;
  /** `from` (default funder) → `to` (default `other`) ERC-1155 safeTransferFrom; resolves with the mined block. */
  transfer(tokenId: string, amount: bigint, to?: Address, from?: Address): Promise<bigint>;
  /** Funder → `to` safeBatchTransferFrom; resolves with the mined block. */
  transferBatch(tokenIds: readonly string[], amounts: readonly bigint[], to?: Address): Promise<bigint>;
  /** The funder's balance read directly (balanceOf), for assertions. */
  balanceOf(tokenId: string, owner?: Address): Promise<bigint>;
}

export interface CtfFixtureOptions {
  /** Binary conditions to prepare and split (2 positions each); default 2. */
  readonly conditions?: number;
  /** Micro-shares split per condition; default 100 shares. */
  readonly splitAmount?: bigint;
}

/** Deploys CTF, collateral and Multicall3 on the anvil at `rpcUrl` and gives the funder real positions. */
export async function deployCtfFixture(rpcUrl: string, opts: CtfFixtureOptions = {}): Promise<CtfFixture> {
  const transport = http(rpcUrl, { retryCount: 0 });
  const probe = createPublicClient({ transport });
  const chain = defineChain({
    id: await probe.getChainId(),
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0 }) as PublicClient;
  const [deployer, funder, other] = (await publicClient.request({ method: 'eth_accounts' as never })) as Address[];
  if (!deployer || !funder || !other) throw new Error('anvil exposed fewer than 3 dev accounts');
  const wallet = createWalletClient({ chain, transport });

  const deploy = async (abi: Abi, bytecode: Hex): Promise<Address> => {
    const hash = await wallet.deployContract({ abi, bytecode, account: deployer, args: [] });
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (!receipt.contractAddress || receipt.status !== 'success') throw new Error('deployment failed');
    return receipt.contractAddress;
  };
  const send = async (tx: Parameters<typeof wallet.writeContract>[0]): Promise<bigint> => {
    const hash = await wallet.writeContract(tx);
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== 'success') throw new Error(`transaction ${tx.functionName} reverted`);
    return receipt.blockNumber;
  };

  const ctf = await deploy(ctfArtifact.abi, ctfArtifact.bytecode);
  const collateral = await deploy(collateralArtifact.abi, collateralArtifact.bytecode);
  // The real Multicall3: deploy its creation code anywhere, then copy the runtime to the canonical address.
  const tmpMulticall = await deploy([], multicall3Artifact.bytecode);
  const runtime = await publicClient.getCode({ address: tmpMulticall });
  await publicClient.request({ method: 'anvil_setCode' as never, params: [MULTICALL3_ADDRESS, runtime] as never });

  const n = opts.conditions ?? 2;
  const splitAmount = opts.splitAmount ?? 100_000_000n;
  await send({ address: collateral, abi: collateralAbi, functionName: 'mint', args: [funder, splitAmount * BigInt(n)], account: deployer, chain });
  await send({ address: collateral, abi: collateralAbi, functionName: 'approve', args: [ctf, 2n ** 256n - 1n], account: funder, chain });

  const ctfCall = <T>(functionName: string, args: readonly unknown[]) =>
    publicClient.readContract({ address: ctf, abi: ctfArtifact.abi, functionName, args }) as Promise<T>;
  const conditions: FixtureCondition[] = [];
  for (let i = 0; i < n; i++) {
    const questionId = keccak256(toHex(`polyquote test question ${i}`));
    await send({ address: ctf, abi: ctfArtifact.abi, functionName: 'prepareCondition', args: [deployer, questionId, 2n], account: deployer, chain });
    const conditionId = await ctfCall<Hex>('getConditionId', [deployer, questionId, 2n]);
    const expectedCondition = keccak256(encodePacked(['address', 'bytes32', 'uint256'], [deployer, questionId, 2n]));
    if (conditionId !== expectedCondition) throw new Error(`conditionId mismatch: chain ${conditionId}, local ${expectedCondition}`);
    await send({
      address: ctf, abi: ctfArtifact.abi, functionName: 'splitPosition',
      args: [collateral, ZERO32, conditionId, [1n, 2n], splitAmount], account: funder, chain,
    });
    const ids: string[] = [];
    for (const indexSet of [1n, 2n]) {
      const collectionId = await ctfCall<Hex>('getCollectionId', [ZERO32, conditionId, indexSet]);
      const positionId = await ctfCall<bigint>('getPositionId', [collateral, collectionId]);
      const local = BigInt(keccak256(encodePacked(['address', 'bytes32'], [collateral, collectionId])));
      if (positionId !== local) throw new Error(`positionId mismatch: chain ${positionId}, local ${local}`);
      ids.push(positionId.toString());
    }
    conditions.push({ questionId, conditionId, tokenIds: [ids[0]!, ids[1]!] });
  }

  return {
    ctf, collateral, multicall: MULTICALL3_ADDRESS, funder, other, conditions, splitAmount, publicClient,
    tokenIds: conditions.flatMap((c) => c.tokenIds),
    transfer: (tokenId, amount, to = other, from = funder) =>
      send({
        address: ctf, abi: ctfArtifact.abi, functionName: 'safeTransferFrom',
        args: [from, to, BigInt(tokenId), amount, '0x'], account: from, chain,
      }),
    transferBatch: (tokenIds, amounts, to = other) =>
      send({
        address: ctf, abi: ctfArtifact.abi, functionName: 'safeBatchTransferFrom',
        args: [funder, to, tokenIds.map((t) => BigInt(t)), [...amounts], '0x'], account: funder, chain,
      }),
    balanceOf: (tokenId, owner = funder) => ctfCall<bigint>('balanceOf', [owner, BigInt(tokenId)]),
  };
}
