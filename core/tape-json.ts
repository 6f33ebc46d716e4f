/**
 * The ledger's hot path: an event's tape line written straight to JSON text, byte for byte what
 * `JSON.stringify(encodeEventLine(e))` gives (same keys, same order, same escapes — a property test
 * holds the two together), without building the line object first or formatting `at` through Date.
 * Rare kinds (connection, gap, merge …) go through the object form.
 */
import { formatMicros, milliTick } from './amounts.ts';
import type { InboundEvent } from './events.ts';
import { isoTime } from './iso-time.ts';
import { isTokenId } from './token-id.ts';
import { encodeEventLine } from './tape-codec.ts';

// What JSON.stringify escapes in a string: quote, backslash, control characters, lone surrogates.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A JSON string literal, as JSON.stringify writes it. */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** A token id as a JSON string: a canonical id (digits only) needs no escape test. */
const tokenJson = (id: string) => (isTokenId(id) ? `"${id}"` : jsonString(id));

const amount = (m: bigint) => `"${formatMicros(m)}"`;

/** A book level's opening, `["<price>","`, for every price on a 0.001 tick from 0 to 1; and the same after a comma. */
const LEVEL_OPEN = Array.from({ length: 1001 }, (_, i) => `["${formatMicros(BigInt(i * 1_000))}","`);
const LEVEL_NEXT = LEVEL_OPEN.map((open) => `,${open}`);
/** A book change's opening, `{"side":"BUY","price":"<price>","size":"`, by side, for the same prices. */
const CHANGE_BUY = Array.from({ length: 1001 }, (_, i) => `{"side":"BUY","price":"${formatMicros(BigInt(i * 1_000))}","size":"`);
const CHANGE_SELL = Array.from({ length: 1001 }, (_, i) => `{"side":"SELL","price":"${formatMicros(BigInt(i * 1_000))}","size":"`);

function levels(ls: readonly (readonly [bigint, bigint])[]): string {
  let s = '[';
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    // A book is written on every snapshot: its usual prices come with their opening from the table.
    const tick = milliTick(l[0]);
    if (tick >= 0) s += (i === 0 ? LEVEL_OPEN : LEVEL_NEXT)[tick]! + formatMicros(l[1]) + '"]';
    else s += (i === 0 ? '["' : ',["') + formatMicros(l[0]) + '","' + formatMicros(l[1]) + '"]';
  }
  return s + ']';
}

/** `JSON.stringify(encodeEventLine(e))`, fast for the kinds a live feed sends most. */
export function encodeEventJson(e: InboundEvent): string {
  switch (e.type) {
    case 'fill': {
      let s = `{"at":"${isoTime(e.at)}","kind":"fill"`;
      if (e.tradeId !== undefined) s += `,"tradeId":${jsonString(e.tradeId)}`;
      if (e.orderId !== undefined) s += `,"orderId":${jsonString(e.orderId)}`;
      s += `,"tokenId":${tokenJson(e.tokenId)},"side":${jsonString(e.side)},"size":${amount(e.size)},"price":${amount(e.price)},"status":${jsonString(e.status)}`;
      if (e.venueAt !== undefined) s += `,"venueAt":${JSON.stringify(e.venueAt)}`;
      return `${s}}`;
    }
    case 'submit':
      return `{"at":"${isoTime(e.at)}","kind":"submit","orderId":${jsonString(e.orderId)},"tokenId":${tokenJson(e.tokenId)},"side":${jsonString(e.side)},"price":${amount(e.price)},"size":${amount(e.size)}}`;
    case 'cancel':
      return `{"at":"${isoTime(e.at)}","kind":"cancel","orderId":${jsonString(e.orderId)}}`;
    case 'order': {
      let s = `{"at":"${isoTime(e.at)}","kind":"order","orderId":${jsonString(e.orderId)}`;
      if (e.tokenId !== undefined) s += `,"tokenId":${tokenJson(e.tokenId)}`;
      if (e.side !== undefined) s += `,"side":${jsonString(e.side)}`;
      s += `,"status":${jsonString(e.status)}`;
      if (e.originalSize !== undefined) s += `,"originalSize":${amount(e.originalSize)}`;
      if (e.sizeMatched !== undefined) s += `,"sizeMatched":${amount(e.sizeMatched)}`;
      if (e.price !== undefined) s += `,"price":${amount(e.price)}`;
      if (e.reason !== undefined) s += `,"reason":${jsonString(e.reason)}`;
      if (e.venueAt !== undefined) s += `,"venueAt":${JSON.stringify(e.venueAt)}`;
      return `${s}}`;
    }
    case 'book_delta': {
      let s = `{"at":"${isoTime(e.at)}","kind":"book_delta","tokenId":${tokenJson(e.tokenId)},"changes":[`;
      for (let i = 0; i < e.changes.length; i++) {
        const c = e.changes[i]!;
        const open = c.side === 'BUY' ? CHANGE_BUY : c.side === 'SELL' ? CHANGE_SELL : undefined;
        const tick = milliTick(c.price);
        if (open && tick >= 0) s += `${i === 0 ? '' : ','}${open[tick]!}${formatMicros(c.size)}"}`;
        else s += `${i === 0 ? '' : ','}{"side":${jsonString(c.side)},"price":${amount(c.price)},"size":${amount(c.size)}}`;
      }
      s += ']';
      if (e.tickSize !== undefined) s += `,"tickSize":${amount(e.tickSize)}`;
      if (e.venueAt !== undefined) s += `,"venueAt":${JSON.stringify(e.venueAt)}`;
      return `${s}}`;
    }
    case 'book': {
      let s = `{"at":"${isoTime(e.at)}","kind":"book","tokenId":${tokenJson(e.tokenId)},"bids":${levels(e.bids)},"asks":${levels(e.asks)}`;
      if (e.tickSize !== undefined) s += `,"tickSize":${amount(e.tickSize)}`;
      if (e.venueAt !== undefined) s += `,"venueAt":${JSON.stringify(e.venueAt)}`;
      return `${s}}`;
    }
    case 'balance': {
      let s = `{"at":"${isoTime(e.at)}","kind":"balance","source":${jsonString(e.source)},"balances":{`;
      let first = true;
      for (const [tokenId, amt] of e.balances) {
        // A key that could be an array index ("7") is ordered first by JSON objects: the object form then.
        if (tokenId.length < 11) return JSON.stringify(encodeEventLine(e));
        s += (first ? '' : ',') + tokenJson(tokenId) + ':' + amount(amt);
        first = false;
      }
      s += '}';
      if (e.block !== undefined) s += `,"block":"${e.block}"`;
      if (e.degraded !== undefined) s += `,"degraded":${e.degraded}`;
      if (e.collateral !== undefined) s += `,"collateral":${amount(e.collateral)}`;
      return `${s}}`;
    }
    default:
      return JSON.stringify(encodeEventLine(e));
  }
}
