/**
 * Where the shared Polymarket fixtures are: `shared/` beside the repository (as the brief lays the
 * workspace out: `../shared/fixtures/polymarket`), else the workspace's own copy (a helper's
 * worktree elsewhere on the machine).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BESIDE_REPO = fileURLToPath(new URL('../../../shared/fixtures/polymarket', import.meta.url));
const WORKSPACE = '/work/shared/fixtures/polymarket';

export const FIXTURE_DIR = existsSync(BESIDE_REPO) ? BESIDE_REPO : WORKSPACE;
