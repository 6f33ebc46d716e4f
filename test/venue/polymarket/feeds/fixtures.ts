/** The shared Polymarket fixtures, read from disk (the parsers are checked against them, never against sim/). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_DIR } from '../../../support/fixture-dir.ts';

export { FIXTURE_DIR };

export function fixtureNames(prefix: string): string[] {
  return readdirSync(FIXTURE_DIR).filter((f) => f.startsWith(prefix) && f.endsWith('.json')).sort();
}

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURE_DIR, name), 'utf8');
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(fixtureText(name)) as Record<string, unknown>;
}

/** The identity the user fixtures were captured for: API key …0001, funder 0xf39f… (lower-case). */
export const ME = {
  apiKey: '00000000-0000-0000-0000-000000000001',
  funder: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
};
export const TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
export const OTHER_TOKEN = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
export const ORDER = '0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef';
