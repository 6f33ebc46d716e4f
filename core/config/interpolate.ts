/**
 * `${ENV_VAR}` interpolation in YAML string scalars (`${VAR:-default}` gives a default). A missing
 * variable is an issue naming the YAML path; values are substituted into a copy, never logged.
 */
import { registerSecret } from '../logger.ts';

export interface Issue {
  path: string;
  message: string;
}

const SECRET_NAME = /KEY|SECRET|TOKEN|PASS|PRIVATE|AUTH|CRED/i;
const VAR_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Returns a deep copy of `value` with variables substituted; problems are pushed to `issues`. */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, issues: Issue[], path: (string | number)[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(VAR_RE, (_m, name: string, dflt: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') {
        // A variable named like a credential carries a secret wherever it is used (a URL, a header).
        if (SECRET_NAME.test(name)) registerSecret(v);
        return v;
      }
      if (dflt !== undefined) return dflt;
      issues.push({ path: path.join('.'), message: `expected environment variable ${name} to be set, got nothing` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, issues, [...path, i]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = interpolateEnv(v, env, issues, [...path, k]);
      // `…Env` keys name a secret's environment variable: it must exist, and its value is redacted from logs.
      if (k.endsWith('Env') && typeof out[k] === 'string') {
        const secret = env[out[k] as string];
        if (!secret) issues.push({ path: [...path, k].join('.'), message: `expected environment variable ${String(out[k])} (a secret) to be set, got nothing` });
        else registerSecret(secret);
      }
    }
    return out;
  }
  return value;
}
