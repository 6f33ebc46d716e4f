/** The official client (@polymarket/clob-client-v2 1.1.0) as a test oracle: order builder with a local viem account. */
import { OrderBuilder, orderToJsonV2, type OrderType, type SignatureTypeV2, type Side } from '@polymarket/clob-client-v2';
import { createWalletClient, hashTypedData, http, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { polygon } from 'viem/chains';

export const KEY: Hex = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
export const FUNDER: Address = '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF';

export function oracleWallet(key: Hex = KEY) {
  return createWalletClient({ account: privateKeyToAccount(key), chain: polygon, transport: http('http://127.0.0.1:9') });
}

export interface OracleOrder {
  salt: string;
  maker: string;
  signer: string;
  tokenId: string;
  makerAmount: string;
  takerAmount: string;
  side: string;
  signatureType: number;
  timestamp: string;
  expiration: string;
  metadata: Hex;
  builder: Hex;
  signature: Hex;
}

/** Builds and signs with the official OrderBuilder (salt and timestamp as it draws them). */
export async function oracleOrder(
  sigType: number,
  funder: Address | undefined,
  args: { tokenID: string; price: number; size: number; side: 'BUY' | 'SELL'; expiration?: number },
  tickSize: string,
  negRisk: boolean,
): Promise<OracleOrder> {
  const builder = new OrderBuilder(oracleWallet() as never, 137, sigType as SignatureTypeV2, funder);
  return (await builder.buildOrder({ ...args, side: args.side as Side } as never, { tickSize: tickSize as never, negRisk }, 2)) as unknown as OracleOrder;
}

export function oracleJson(order: OracleOrder, owner: string, orderType: string, postOnly: boolean): string {
  return JSON.stringify(orderToJsonV2(order as never, owner, orderType as OrderType, postOnly));
}

/** The order's EIP-712 hash computed with viem's generic typed-data path (independent of our hasher). */
export function oracleHash(order: OracleOrder, negRisk: boolean): Hex {
  return hashTypedData({
    domain: {
      name: 'Polymarket CTF Exchange', version: '2', chainId: 137,
      verifyingContract: negRisk ? '0xe2222d279d744050d28e00520010520000310F59' : '0xE111180000d2663C0091e4f400237545B87B996B',
    },
    types: {
      Order: [
        { name: 'salt', type: 'uint256' }, { name: 'maker', type: 'address' }, { name: 'signer', type: 'address' },
        { name: 'tokenId', type: 'uint256' }, { name: 'makerAmount', type: 'uint256' }, { name: 'takerAmount', type: 'uint256' },
        { name: 'side', type: 'uint8' }, { name: 'signatureType', type: 'uint8' }, { name: 'timestamp', type: 'uint256' },
        { name: 'metadata', type: 'bytes32' }, { name: 'builder', type: 'bytes32' },
      ],
    },
    primaryType: 'Order',
    message: {
      salt: BigInt(order.salt), maker: order.maker as Address, signer: order.signer as Address, tokenId: BigInt(order.tokenId),
      makerAmount: BigInt(order.makerAmount), takerAmount: BigInt(order.takerAmount), side: order.side === 'BUY' ? 0 : 1,
      signatureType: order.signatureType, timestamp: BigInt(order.timestamp), metadata: order.metadata, builder: order.builder,
    },
  });
}
