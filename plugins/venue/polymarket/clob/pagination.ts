/** Cursor pagination of /data/orders and /data/trades: from MA== until LTE= (or no cursor). */
import type { z } from 'zod';
import { ClobError, type ClobHttp } from './clob-http.ts';
import { pageSchema } from './schemas.ts';

export const INITIAL_CURSOR = 'MA==';
export const END_CURSOR = 'LTE=';

/** Every row of every page with where it came from; more than `maxPages` pages is an error (incomplete). */
export async function paginate<T extends z.ZodType>(
  http: ClobHttp, path: string, query: Record<string, string | undefined>, item: T, maxPages: number,
): Promise<[z.infer<T>, string][]> {
  const out: [z.infer<T>, string][] = [];
  let cursor = INITIAL_CURSOR;
  for (let page = 0; page < maxPages; page++) {
    const where = `GET ${path} (cursor ${cursor})`;
    const r = await http.call({ method: 'GET', path, query: { ...query, next_cursor: cursor }, auth: 'l2' }, pageSchema(item));
    r.data.forEach((row, i) => out.push([row as z.infer<T>, `${where} data.${i}`]));
    const next = r.next_cursor;
    if (!next || next === END_CURSOR) return out;
    if (next === cursor) throw new ClobError('VENUE_ANSWER_INVALID', `GET ${path}`, `cursor did not advance (${cursor})`);
    cursor = next;
  }
  throw new ClobError('VENUE_ANSWER_INCOMPLETE', `GET ${path}`, `more than ${maxPages} pages: answer incomplete, refused`, { errorClass: 'retryable' });
}
