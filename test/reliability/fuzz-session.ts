/** One fuzzing run against a started Logbook, and 'bad upgrades' for the file-descriptor check. */
import * as net from 'node:net';
import WebSocket from 'ws';
import type { LogbookProcess } from '../support/logbook-process';
import type { FuzzCase, FuzzContext } from './fuzz-case';
import { isAlive } from './fuzz-fixture';
import { coverage, generateCases } from './fuzz-generator';
import { verdict } from './fuzz-oracle';
import type { Failure } from './fuzz-report';
import { runAll } from './fuzz-runner';

export interface FuzzRun {
  seed: string;
  cases: FuzzCase[];
  failures: Failure[];
  statuses: Map<string, number>;
  durationMs: number;
  /** The slowest cases, slowest first (to keep the run's time in check). */
  slowest: Array<{ ms: number; c: FuzzCase }>;
  /** The server process died during the run (the rest of the cases were not sent). */
  crashed: boolean;
  coverage: ReturnType<typeof coverage>;
}

export async function runFuzz(logbook: LogbookProcess, ctx: FuzzContext, options: { seed: string; total: number; concurrency?: number }): Promise<FuzzRun> {
  const cases = generateCases(ctx, options.seed, options.total);
  const failures: Failure[] = [];
  const statuses = new Map<string, number>();
  const pid = logbook.child.pid!;
  let crashed = false;
  const started = Date.now();
  let sent = 0;
  const slowest: FuzzRun['slowest'] = [];
  await runAll(
    logbook.url,
    cases,
    options.concurrency ?? 8,
    (c, outcome, ms) => {
      slowest.push({ ms, c });
      if (slowest.length > 40) slowest.sort((a, b) => b.ms - a.ms).splice(10);
      const key = outcome.status === null ? 'none' : `${outcome.status}${outcome.closeCode ? `/${outcome.closeCode}` : ''}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      const reason = verdict(c, outcome);
      if (reason) failures.push({ c, outcome, reason });
      if (++sent % 100 === 0 && !isAlive(pid)) crashed = true;
    },
    () => crashed || logbook.child.exitCode !== null || logbook.child.signalCode !== null,
  );
  crashed ||= logbook.child.exitCode !== null || logbook.child.signalCode !== null || !isAlive(pid);
  return { seed: options.seed, cases: cases.slice(0, sent), failures, statuses, durationMs: Date.now() - started, slowest: slowest.sort((a, b) => b.ms - a.ms).slice(0, 10), crashed, coverage: coverage(cases) };
}

const UNSERVED = ['/', '/nope', '/api/v1/fleet/nope', '/api/v1/osquery/enroll', '/console/', '/healthz', '/api/v1/fleet/results/websocket/x', '/%ff', '/api/v1/fleet/shells/', '/socket.io/?EIO=99&transport=websocket'];
const NEVER_AUTHENTICATED = ['/api/v1/fleet/results/websocket', '/api/v1/fleet/shells/nobody/websocket', '/api/v1/shells/nobody', '/socket.io/?EIO=4&transport=websocket', '/api/v1/fleet/results/000/fdcheck/websocket'];

/** One bad upgrade, by number: to a path nobody serves, one that never authenticates, or a half handshake. */
export function badUpgrade(baseUrl: string, n: number): Promise<void> {
  const kind = n % 3;
  if (kind === 2) {
    // Half a handshake, then gone.
    const url = new URL(baseUrl);
    return new Promise((resolve) => {
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.write(`GET ${NEVER_AUTHENTICATED[n % NEVER_AUTHENTICATED.length]} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`);
        setTimeout(() => socket.destroy(), 20);
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
  }
  const path = kind === 0 ? UNSERVED[n % UNSERVED.length] : NEVER_AUTHENTICATED[n % NEVER_AUTHENTICATED.length];
  return new Promise((resolve) => {
    const socket = new WebSocket(baseUrl.replace(/^http/, 'ws') + path);
    // Bounded whatever the server does: the client is gone after 2 s at the latest.
    const bound = setTimeout(() => socket.terminate(), 2_000);
    socket.on('close', () => clearTimeout(bound));
    socket.on('unexpected-response', (_req, res) => {
      res.resume();
      socket.terminate();
    });
    // Opened and never authenticated: leave without a word (half the time without a close frame).
    socket.on('open', () =>
      setTimeout(() => {
        if (n % 2 === 0) return socket.terminate();
        socket.close();
        // Bounded: a server that never answers the close frame is cut off after a moment.
        setTimeout(() => socket.terminate(), 500).unref();
      }, 10),
    );
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

export async function badUpgrades(baseUrl: string, count: number, concurrency = 20): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await badUpgrade(baseUrl, next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
