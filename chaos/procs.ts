/**
 * The chaos suite's child processes: the simulator (`polyquote sim`, its own process so that
 * killing the bot leaves the exchange running) and the bot (`polyquote run`), both through
 * bin/polyquote.js so that a SIGKILL hits the engine itself, not a wrapper.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { SimEndpoints } from './bot-config.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'polyquote.js');

/** A child process whose stdout lines are kept (and every byte of both streams copied to a file). */
export class Child {
  readonly lines: string[] = [];
  stderr = '';
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited = false;
  private readonly waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  private readonly log: WriteStream;

  constructor(readonly name: string, readonly proc: ChildProcessWithoutNullStreams, logFile: string) {
    this.log = createWriteStream(logFile, { flags: 'a' });
    let buf = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.log.write(d);
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        this.lines.push(line);
        for (const w of [...this.waiters]) if (w.test(line)) (this.waiters.splice(this.waiters.indexOf(w), 1), w.resolve(line));
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.log.write(d);
      this.stderr += d;
      if (this.stderr.length > 2_000_000) this.stderr = this.stderr.slice(-1_000_000);
      for (const w of [...this.waiters]) if (w.test(d)) (this.waiters.splice(this.waiters.indexOf(w), 1), w.resolve(d));
    });
    this.exit = new Promise((resolve) => proc.once('close', (code, signal) => {
      this.exited = true;
      this.log.end();
      resolve({ code, signal });
    }));
  }

  /** Resolves with the first stdout line or stderr chunk that passes `test`; rejects on exit or timeout. */
  waitFor(test: (l: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms; stderr tail: ${this.stderr.slice(-1500)}`)), timeoutMs);
      const w = { test, resolve: (l: string) => (clearTimeout(timer), resolve(l)) };
      this.waiters.push(w);
      void this.exit.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (code ${code}, signal ${signal}) before ${what}; stderr tail: ${this.stderr.slice(-1500)}`));
      });
    });
  }

  /** The last stdout line that parses as JSON with `kind === kind`. */
  lastJson(kind: string): Record<string, unknown> | undefined {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      try {
        const j = JSON.parse(this.lines[i]!) as Record<string, unknown>;
        if (j.kind === kind) return j;
      } catch {
        // not JSON
      }
    }
    return undefined;
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.exited) this.proc.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.kill('SIGTERM');
    const t = setTimeout(() => this.kill('SIGKILL'), graceMs);
    const r = await this.exit;
    clearTimeout(t);
    return r;
  }
}

/**
 * Runs `polyquote <args>` in `cwd`. Its temp directory is `<cwd>/tmp`: the funder lock lives there, so
 * a chaos run never collides with another bot trading the same dev account elsewhere on the machine.
 */
export function spawnPolyquote(name: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): Child {
  const tmp = path.join(cwd, 'tmp');
  mkdirSync(tmp, { recursive: true });
  return new Child(name, spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, TMPDIR: tmp, ...env } }), logFile);
}

/** Starts `polyquote sim` and waits for its JSON line. */
export async function startSim(dir: string, seed: number, configFile: string, timeoutMs = 120_000): Promise<{ child: Child; info: SimEndpoints }> {
  const child = spawnPolyquote('simulator', ['sim', '--port', '0', '--seed', String(seed), '--config', configFile], dir, {}, path.join(dir, 'sim.log'));
  try {
    const line = await child.waitFor((l) => l.startsWith('{') && l.includes('"controlUrl"'), timeoutMs, 'endpoints line');
    return { child, info: JSON.parse(line) as SimEndpoints };
  } catch (e) {
    await child.stop(5000);
    throw e;
  }
}
