/** The `metrics:` root config key: defaults, port 0, and clear errors naming the path. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../core/config/load.ts';
import { ConfigError } from '../../../core/errors.ts';
import { PluginRegistry } from '../../../plugins/registry.ts';

const parse = (yaml: string) => parseConfig(yaml, new PluginRegistry());

function issues(yaml: string): string[] {
  try {
    parse(yaml);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('metrics config', () => {
  it.each([
    { name: 'absent: enabled on 127.0.0.1:9464', yaml: 'log: { level: silent }', want: { enabled: true, host: '127.0.0.1', port: 9464 } },
    { name: 'port 0 (any free port)', yaml: 'metrics: { port: 0 }', want: { enabled: true, host: '127.0.0.1', port: 0 } },
    { name: 'disabled', yaml: 'metrics: { enabled: false }', want: { enabled: false, host: '127.0.0.1', port: 9464 } },
    { name: 'all given', yaml: 'metrics: { enabled: true, host: "0.0.0.0", port: 9100 }', want: { enabled: true, host: '0.0.0.0', port: 9100 } },
  ])('$name', ({ yaml, want }) => {
    expect(parse(yaml).metrics).toEqual(want);
  });

  it.each([
    { yaml: 'metrics: { port: 70000 }', path: 'metrics.port' },
    { yaml: 'metrics: { port: -1 }', path: 'metrics.port' },
    { yaml: 'metrics: { port: 9464.5 }', path: 'metrics.port' },
    { yaml: 'metrics: { port: "9464" }', path: 'metrics.port' },
    { yaml: 'metrics: { host: "" }', path: 'metrics.host' },
    { yaml: 'metrics: { enabled: "yes" }', path: 'metrics.enabled' },
    { yaml: 'metrics: { prot: 1 }', path: 'metrics' },
  ])('rejects $yaml at $path', ({ yaml, path }) => {
    const got = issues(yaml);
    expect(got.some((i) => i.startsWith(`${path}: `))).toBe(true);
  });
});
