/** Counts of fuzz inputs tried and rejected (by rejection code), per input kind, printed by the caller. */
export class Tally {
  private readonly kinds: Record<string, { tried: number; rejected: number; codes: Record<string, number> }> = {};

  /** One input tried; `rejectedCode` when it was refused. */
  count(kind: string, rejectedCode?: string): void {
    const t = (this.kinds[kind] ??= { tried: 0, rejected: 0, codes: {} });
    t.tried++;
    if (rejectedCode !== undefined) {
      t.rejected++;
      t.codes[rejectedCode] = (t.codes[rejectedCode] ?? 0) + 1;
    }
  }

  report(title: string): string {
    const total = Object.values(this.kinds).reduce((s, t) => s + t.tried, 0);
    const rows = Object.entries(this.kinds).map(([k, t]) => `  ${k.padEnd(14)} ${String(t.tried).padStart(5)} tried ${String(t.rejected).padStart(5)} rejected  ${JSON.stringify(t.codes)}`);
    return `${title}: ${total} inputs tried\n${rows.join('\n')}\n`;
  }
}
