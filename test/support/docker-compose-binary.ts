/**
 * Where infra/build-docker-compose.sh (run by `npm run install-test-deps`) leaves the Docker
 * Compose CLI: ${XDG_CACHE_HOME:-$HOME/.cache}/logbook/docker-compose/<version>/docker-compose,
 * the version being the one test/tools/docker-compose/go.mod pins. The same rule as the script's.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../../..');

/** The compose version the tools module pins (its `require` of github.com/docker/compose/v2). */
export function pinnedComposeVersion(): string {
  const goMod = readFileSync(join(REPO, 'test/tools/docker-compose/go.mod'), 'utf8');
  const match = /^\s*github\.com\/docker\/compose\/v2 (v\S+)/m.exec(goMod);
  if (!match) throw new Error('test/tools/docker-compose/go.mod requires no github.com/docker/compose/v2');
  return match[1]!;
}

export function dockerComposeBinary(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cache, 'logbook', 'docker-compose', pinnedComposeVersion(), 'docker-compose');
}
