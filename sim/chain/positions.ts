/**
 * Pure CTF id arithmetic, computed locally exactly as the Gnosis ConditionalTokens contract (v1.0.3,
 * CTHelpers.sol) does on-chain: questionId, conditionId, collectionId (the alt_bn128 point encoding,
 * top-level collections only) and positionId. Position ids are returned as canonical decimal strings.
 */
import { encodePacked, keccak256, toHex, type Address, type Hex } from 'viem';

/** alt_bn128 field modulus used by CTHelpers to encode collection ids as curve points (y² = x³ + 3). */
const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const B = 3n;

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

/** questionId the simulator uses for a market: keccak256 of the question's UTF-8 bytes. */
export function questionIdOf(question: string): Hex {
  return keccak256(toHex(question));
}

/** CTHelpers.getConditionId: keccak256(oracle, questionId, outcomeSlotCount). */
export function conditionIdOf(oracle: Address, questionId: Hex, outcomeSlotCount = 2): Hex {
  return keccak256(encodePacked(['address', 'bytes32', 'uint256'], [oracle, questionId, BigInt(outcomeSlotCount)]));
}

/** CTHelpers.getCollectionId with parentCollectionId = 0 (a top-level position). */
export function collectionIdOf(conditionId: Hex, indexSet: bigint): Hex {
  let x = BigInt(keccak256(encodePacked(['bytes32', 'uint256'], [conditionId, indexSet])));
  const odd = x >> 255n !== 0n;
  let y: bigint;
  let yy: bigint;
  do {
    x = (x + 1n) % P;
    yy = (((x * x) % P) * x + B) % P;
    y = modPow(yy, (P + 1n) / 4n, P); // P ≡ 3 (mod 4): the contract's addition-chain sqrt is this power
  } while ((y * y) % P !== yy);
  if ((odd && y % 2n === 0n) || (!odd && y % 2n === 1n)) y = P - y;
  if (y % 2n === 1n) x ^= 1n << 254n;
  return toHex(x, { size: 32 });
}

/** CTHelpers.getPositionId: keccak256(collateral, collectionId) as a uint256. */
export function positionIdOf(collateral: Address, collectionId: Hex): bigint {
  return BigInt(keccak256(encodePacked(['address', 'bytes32'], [collateral, collectionId])));
}

/** The two ERC-1155 token ids of a binary condition: [YES (indexSet 1), NO (indexSet 2)], decimal strings. */
export function binaryPositionIds(collateral: Address, conditionId: Hex): readonly [string, string] {
  return [
    positionIdOf(collateral, collectionIdOf(conditionId, 1n)).toString(),
    positionIdOf(collateral, collectionIdOf(conditionId, 2n)).toString(),
  ];
}
