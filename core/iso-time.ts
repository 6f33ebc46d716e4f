/** Epoch ms → ISO 8601 text, the hot path of every ledgered event. */
const DAY_MS = 86_400_000;
let dayStart = Number.NaN;
let dayPrefix = '';

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** `new Date(ms).toISOString()`, with the date part computed once per day. */
export function isoTime(ms: number): string {
  const start = Math.floor(ms / DAY_MS) * DAY_MS;
  if (start !== dayStart) {
    dayPrefix = new Date(start).toISOString().slice(0, -13); // "YYYY-MM-DDT" (or "+0YYYYY-MM-DDT")
    dayStart = start;
  }
  let r = ms - start;
  const milli = r % 1000;
  r = (r - milli) / 1000;
  const sec = r % 60;
  r = (r - sec) / 60;
  const min = r % 60;
  const hour = (r - min) / 60;
  return `${dayPrefix}${pad2(hour)}:${pad2(min)}:${pad2(sec)}.${pad3(milli)}Z`;
}

/** The range of event times: from the epoch to the last millisecond of year 9999 (4-digit ISO years). */
export const MIN_AT = 0;
export const MAX_AT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
