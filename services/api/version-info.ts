/**
 * GET /version's answer, in Fleet's shape (kolide/kit/version Info: version, branch, revision,
 * go_version, build_date, build_user). `version` is Logbook's own (package.json), read once;
 * `go_version` names the runtime that serves (Node's version: there is no Go here); the build
 * fields Fleet sets with linker flags are "unknown", as Fleet's own are in a build without them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface VersionInfo {
  version: string;
  branch: string;
  revision: string;
  go_version: string;
  build_date: string;
  build_user: string;
}

const UNKNOWN = 'unknown';

/** The nearest package.json above this module (source or dist alike) names Logbook's version. */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'logbook' && typeof pkg.version === 'string') return pkg.version;
    }
    if (dirname(dir) === dir) return UNKNOWN;
  }
}

let cached: VersionInfo | null = null;

export function versionInfo(): VersionInfo {
  cached ??= { version: packageVersion(), branch: UNKNOWN, revision: UNKNOWN, go_version: process.version, build_date: UNKNOWN, build_user: UNKNOWN };
  return cached;
}
