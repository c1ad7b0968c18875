/**
 * Starts Logbook the way a user does (`node dist/services/all-in-one/main.js`, configured by
 * environment) as a child process on a free port, for black-box tests. Data lives in a temp dir
 * unless one is given, so a test can kill -9 the process and start it again on the same data.
 * Both listeners are on free ports: plain HTTP (`url`) and HTTPS (`tlsUrl`, trusted by `caFile`,
 * the local CA Logbook made under DATA_DIR/tls, unless the test gives TLS_CERT/TLS_KEY).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { onSuiteEnd } from './teardown';
import { httpsRequest } from './tls-client';

const MAIN = resolve(__dirname, '../../services/all-in-one/main.js');

export interface LogbookProcess {
  /** The plain HTTP listener; with PLAIN_HTTP=false, the same as tlsUrl. */
  url: string;
  /** https://127.0.0.1:port, or null with TLS_PORT=off. */
  tlsUrl: string | null;
  /** The generated local CA's PEM file (null with the operator's certificate or without TLS). */
  caFile: string | null;
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
    env: { PATH: process.env.PATH ?? '', PORT: '0', TLS_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  type Ports = { port: number | null; tlsPort: number | null; caFile: string | null };
  const ports = await new Promise<Ports>((resolvePort, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string } & Partial<Ports>;
        if (entry.msg === 'operator API listening') resolvePort({ port: entry.port ?? null, tlsPort: entry.tlsPort ?? null, caFile: entry.caFile ?? null });
      } catch {
        // not a JSON log line
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`logbook exited (${code ?? signal}) before listening:\n${output.join('\n')}`)));
  });
  const tlsUrl = ports.tlsPort === null ? null : `https://127.0.0.1:${ports.tlsPort}`;
  const logbook: LogbookProcess = {
    url: ports.port === null ? tlsUrl! : `http://127.0.0.1:${ports.port}`,
    tlsUrl,
    caFile: ports.caFile,
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
  if (options.waitUntil !== 'listening') await waitUntilHealthy(logbook.url, ports.port === null);
  return logbook;
}

async function waitUntilHealthy(url: string, tlsOnly: boolean): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    // Over TLS only, the certificate may be the test's own: health, not trust, is checked here.
    const status = tlsOnly
      ? await httpsRequest('GET', `${url}/healthz`, { insecure: true }).then((res) => res.status, () => 0)
      : await fetch(`${url}/healthz`).then((res) => res.status, () => 0);
    if (status === 200) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`${url}/healthz never answered 200`);
}
