/**
 * Starts Logbook the way a user does (`node dist/services/all-in-one/main.js`, configured by
 * environment) as a child process on a free port, for black-box tests. Data lives in a temp dir
 * unless one is given, so a test can kill -9 the process and start it again on the same data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { onSuiteEnd } from './teardown';

const MAIN = resolve(__dirname, '../../services/all-in-one/main.js');

export interface LogbookProcess {
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** stdout and stderr lines so far (JSON log lines mostly). */
  output: string[];
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL (kill -9) and wait for exit. */
  kill(): Promise<void>;
}

export function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'logbook-test-'));
  onSuiteEnd(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** 'listening' returns once the port is open, for a Logbook that is up but not ready (full disk). */
  waitUntil?: 'healthy' | 'listening';
}

export async function startLogbook(options: StartOptions = {}): Promise<LogbookProcess> {
  const level = options.env?.LOG_LEVEL ?? 'info';
  if (!['info', 'debug', 'trace'].includes(level)) throw new Error('startLogbook reads the info-level "listening" log line: LOG_LEVEL must be info or lower');
  const dataDir = options.dataDir ?? newDataDir();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const port = await new Promise<number>((resolvePort, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'operator API listening' && entry.port) resolvePort(entry.port);
      } catch {
        // not a JSON log line
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`logbook exited (${code ?? signal}) before listening:\n${output.join('\n')}`)));
  });
  const logbook: LogbookProcess = {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    child,
    output,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
  onSuiteEnd(() => logbook.kill());
  if (options.waitUntil !== 'listening') await waitUntilHealthy(logbook.url);
  return logbook;
}

async function waitUntilHealthy(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const res = await fetch(`${url}/healthz`).catch(() => null);
    if (res?.ok) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`${url}/healthz never answered 200`);
}
