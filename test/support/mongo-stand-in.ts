/**
 * MongoDB for tests: MONGO_URL when it is set, otherwise the in-memory stand-in
 * (infra/mongo-stand-in/run.sh), started lazily once per test process on a free loopback port
 * and stopped when the suite ends.
 *
 * The first start on a machine builds the stand-in with Maven, which can take minutes:
 * callers should allow for it, e.g. `this.timeout(300_000)` in their `before` hook.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { onSuiteEnd } from './teardown';

const STARTUP_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 10_000;
const STDERR_TAIL_CHARS = 4_000;

let standInUrl: Promise<string> | undefined;

export async function mongoUrl(): Promise<string> {
  const configured = process.env.MONGO_URL;
  if (configured) return configured;
  standInUrl ??= startStandIn();
  return standInUrl;
}

async function startStandIn(): Promise<string> {
  const runScript = path.join(repoRoot(__dirname), 'infra', 'mongo-stand-in', 'run.sh');
  // Own process group, so that stopping it also stops a Maven build still running inside run.sh.
  // --exit-with-stdin: the stand-in also exits when this process dies without running teardown.
  const child = spawn(runScript, ['0', '--exit-with-stdin'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  onSuiteEnd(() => stop(child));
  const port = await listeningPort(child);
  // Let this process exit without waiting for the stand-in (stdin closing then stops it).
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void }).unref?.();
  }
  return `mongodb://127.0.0.1:${port}`;
}

function listeningPort(child: ChildProcess): Promise<number> {
  let stderrTail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
  });
  return new Promise<number>((resolve, reject) => {
    const failure = (reason: string) => {
      cleanup();
      reject(new Error(`MongoDB stand-in did not start: ${reason}\n${stderrTail}`));
    };
    const onExit = (code: number | null, signal: string | null) =>
      failure(`run.sh exited (code ${code}, signal ${signal})`);
    const onError = (error: Error) => failure(error.message);
    const timer = setTimeout(() => {
      failure(`no LISTENING line within ${STARTUP_TIMEOUT_MS / 1000} s`);
      killGroup(child, 'SIGKILL');
    }, STARTUP_TIMEOUT_MS);
    const lines = readline.createInterface({ input: child.stdout! });
    const cleanup = () => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
      lines.off('line', onLine);
    };
    const onLine = (line: string) => {
      const match = /^LISTENING (\d+)$/.exec(line.trim());
      if (!match) return;
      cleanup();
      resolve(Number(match[1]));
    };
    lines.on('line', onLine);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  killGroup(child, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS);
  });
  const stuck = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (stuck) killGroup(child, 'SIGKILL');
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** The nearest directory at or above `start` that holds package.json (works from any outDir). */
function repoRoot(start: string): string {
  let directory = start;
  while (!fs.existsSync(path.join(directory, 'package.json'))) {
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error(`no package.json above ${start}`);
    directory = parent;
  }
  return directory;
}
