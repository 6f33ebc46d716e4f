/** The replay CLI as a black box: a real process, real files, tape-format.md's output. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configYaml } from './harness.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'polyquote-replay-'));
const CONFIG = path.join(dir, 'config.yaml');
writeFileSync(CONFIG, configYaml());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: root, env: { ...process.env, POLYQUOTE_LOG_LEVEL: 'silent' }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let tapeNo = 0;
function tape(lines: (object | string)[]): string {
  const file = path.join(dir, `t${++tapeNo}.jsonl`);
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
}

const replay = (tapeFile: string, extra: string[] = [], config = CONFIG) =>
  run(process.execPath, [TSX, 'cli/main.ts', 'replay', '--config', config, '--tape', tapeFile, ...extra]);
const outLines = (r: Run) => r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);

const T = '1001';
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const BASE = [
  { at: at(0), kind: 'balance', source: 'chain', balances: { [T]: '50' } },
  { at: at(1), kind: 'submit', orderId: 'o1', tokenId: T, side: 'BUY', price: '0.5', size: '10' },
  { at: at(2), kind: 'fill', tradeId: 't2', tokenId: T, side: 'BUY', size: 30, price: '0.5' },
];

describe.concurrent('polyquote replay', { timeout: 120_000 }, () => {
  it('prints one line per query and a final line, in tape-format.md shape, with canBuy/canSell answers', async () => {
    const r = await replay(tape([
      ...BASE,
      { at: at(5), kind: 'query', tokenId: T, canBuy: '10', canSell: '81' },
      { at: at(6), kind: 'query', tokenId: T, canBuy: 10.000001, canSell: 80 },
      { at: at(7), kind: 'advance' },
    ]));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [q1, q2, final, ...more] = outLines(r);
    expect(more).toEqual([]);
    expect(q1).toEqual({
      at: '2026-01-01T00:00:05.000Z',
      positions: {
        [T]: expect.objectContaining({
          confirmed: 50, pendingBuys: 30, pendingSells: 0, effective: 80, pendingOrderBuys: 10, conservativeExposure: 90, availableToSell: 80,
          pendingFills: [{ key: 't2', side: 'BUY', size: 30 }],
        }),
      },
      risk: expect.objectContaining({
        mode: 'normal', reasons: [], sizeMultiplier: 1, allowedSides: ['BUY', 'SELL'], extraTicks: 0,
        byToken: { [T]: { mode: 'normal', reasons: [], sizeMultiplier: 1, allowedSides: ['BUY', 'SELL'], extraTicks: 0 } },
      }),
      answer: { canBuy: true, canSell: false },
      ...(q1!.fills !== undefined && { fills: q1!.fills }),
    });
    expect(q2!.answer).toEqual({ canBuy: false, canSell: true });
    expect(final!.at).toBe('2026-01-01T00:00:07.000Z');
    expect(final).not.toHaveProperty('answer');
    expect(final!.positions[T].effective).toBe(80);
  });

  it('accepts epoch milliseconds for at', async () => {
    const ms = Date.UTC(2026, 0, 1);
    const r = await replay(tape([{ at: ms, kind: 'balance', source: 'chain', balances: { [T]: 5 } }, { at: ms + 1000, kind: 'query', tokenId: T }]));
    expect(r.code).toBe(0);
    expect(outLines(r)[0]).toMatchObject({ at: '2026-01-01T00:00:01.000Z', positions: { [T]: { confirmed: 5 } } });
  });

  it('fails with a non-zero exit naming the line number when at goes backwards, applying nothing after it', async () => {
    const r = await replay(tape([
      ...BASE,
      { at: at(3), kind: 'query', tokenId: T },
      { at: at(2), kind: 'fill', tradeId: 't3', tokenId: T, side: 'BUY', size: 1, price: '0.5' },
      { at: at(9), kind: 'query', tokenId: T },
    ]));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('tape line 5');
    expect(r.stderr).toMatch(/earlier/);
    expect(outLines(r)).toHaveLength(1);
    expect(outLines(r)[0]!.at).toBe(at(3));
  });

  it.each([
    { description: 'malformed JSON', bad: '{"at": "2026-01-01T00:00:03.000Z", "kind": "fill",', message: 'JSON' },
    { description: 'an unknown kind', bad: { at: at(3), kind: 'teleport' }, message: 'unknown kind "teleport"' },
    { description: 'a bad field', bad: { at: at(3), kind: 'fill', tradeId: 't3', tokenId: T, side: 'HOLD', size: 1, price: '0.5' }, message: 'side' },
    { description: 'a missing field', bad: { at: at(3), kind: 'submit', tokenId: T, side: 'BUY', size: 1, price: '0.5' }, message: 'orderId' },
    { description: 'a negative size', bad: { at: at(3), kind: 'fill', tokenId: T, side: 'BUY', size: '-1', price: '0.5' }, message: 'size' },
  ])('rejects $description with a line-numbered error and applies nothing after it', async ({ bad, message }) => {
    const r = await replay(tape([...BASE, bad, { at: at(9), kind: 'query', tokenId: T }]));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tape line 4');
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('with --skip-bad-lines reports each skipped line on stderr and goes on', async () => {
    const r = await replay(
      tape([
        BASE[0]!,
        'not json',
        BASE[1]!,
        { at: at(2), kind: 'teleport' },
        BASE[2]!,
        { at: at(1), kind: 'advance' },
        { at: at(3), kind: 'query', tokenId: T, canBuy: 10 },
      ]),
      ['--skip-bad-lines'],
    );
    expect(r.code).toBe(0);
    const skipped = r.stderr.split('\n').filter((l) => l.startsWith('skipped:'));
    expect(skipped).toHaveLength(3);
    expect(skipped[0]).toContain('tape line 2');
    expect(skipped[1]).toContain('tape line 4');
    expect(skipped[2]).toContain('tape line 6');
    expect(r.stderr).toContain('3 bad line(s) skipped');
    const [q] = outLines(r);
    expect(q).toMatchObject({ positions: { [T]: { effective: 80, conservativeExposure: 90 } }, answer: { canBuy: true } });
  });

  it('parses user_ws frames with the connector: a broken trade inside is reported with its line and skipped', async () => {
    const r = await replay(tape([BASE[0]!, { at: at(1), kind: 'user_ws', frame: { event_type: 'trade' } }]));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('tape line 2: frame event skipped');
  });

  it('exits 2 with the YAML path on stderr for a bad config', async () => {
    const bad = path.join(dir, 'bad-config.yaml');
    writeFileSync(bad, configYaml().replace('thresholdShares: 25', 'thresholdShares: lots'));
    const r = await replay(tape(BASE), [], bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('risk.policies.1.thresholdShares');
    expect(r.stdout).toBe('');
  });

  it('replays the shipped example session deterministically to the expected final state', async () => {
    const session = path.join(root, 'examples', 'session.tape.jsonl');
    const config = path.join(root, 'examples', 'demo.config.yaml');
    const [a, b] = await Promise.all([replay(session, [], config), replay(session, [], config)]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const final = outLines(a).at(-1)!;
    const YES = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
    const NO = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
    expect(final.positions[YES]).toMatchObject({ confirmed: 130, pendingBuys: 0, pendingSells: 0, effective: 130, pendingOrderBuys: 0, pendingFills: [] });
    expect(final.positions[NO]).toMatchObject({ confirmed: 60, pendingBuys: 0, pendingSells: 0, effective: 60, pendingOrderBuys: 0, pendingFills: [] });
    expect(final.risk.mode).toBe('normal');
    expect(final.shadow?.strict).toBeDefined();
  });

  it('polyquote demo replays the shipped session, exits 0 and prints the degrade and recovery alerts', async () => {
    const r = await run('npm', ['run', '--silent', 'polyquote', '--', 'demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ALERT \[warning\] token NO degraded: DRIFT/);
    expect(r.stdout).toMatch(/ALERT \[info\] token NO recovered to normal/);
    expect(r.stdout).toMatch(/ALERT \[warning\] overall degraded: SOURCE_FALLBACK/);
    expect(r.stdout).toMatch(/ALERT \[info\] overall recovered to normal/);
  });
});
