/**
 * The programmatic entry point: N simulated osquery hosts against one server, sharing one SQL
 * engine, one keep-alive socket pool and one scheduler.
 */
import { hostIdentity } from './host-identity';
import { OsqueryHttpClient } from './osquery-client';
import { Scheduler } from './scheduler';
import type { HostContext, SimulatorCounters } from './host-context';
import { SimulatedHost } from './simulated-host';
import { optionProblems, withDefaults, type HostSimulatorOptions } from './simulator-options';
import { SqlEngine, type SqlEngineStats } from './sql-engine';

export interface HostSimulatorStats extends SimulatorCounters {
  hosts: number;
  /** Hosts holding a node key now. */
  enrolled: number;
  /** Requests waiting for an answer now. */
  inFlight: number;
  sql: SqlEngineStats;
}

export interface HostSimulator {
  readonly hosts: readonly SimulatedHost[];
  /** Resolves once every host has enrolled and fetched its first config; rejects if stopped first. */
  readonly ready: Promise<void>;
  readonly options: HostSimulatorOptions;
  stats(): HostSimulatorStats;
  stop(): Promise<void>;
}

export class HostSimulatorOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid host simulator options: ${problems.join('; ')}`);
    this.name = 'HostSimulatorOptionsError';
  }
}

export async function startHostSimulator(
  input: Partial<HostSimulatorOptions> & Pick<HostSimulatorOptions, 'url' | 'enrollSecret'>,
): Promise<HostSimulator> {
  const options = withDefaults(input);
  const problems = optionProblems(options);
  if (problems.length > 0) throw new HostSimulatorOptionsError(problems);

  const engine = await SqlEngine.create({
    distributed_interval: options.distributedIntervalSec,
    config_refresh: options.configRefreshSec,
    logger_tls_period: options.loggerTlsPeriodSec,
    host_identifier: options.hostIdentifier,
    tls_hostname: new URL(options.url).host,
  });
  const client = new OsqueryHttpClient(options.url, { maxSockets: options.maxSockets, timeoutMs: options.requestTimeoutMs, insecure: options.insecure, ca: options.ca });
  const scheduler = new Scheduler();
  let stopped = false;
  const counters: SimulatorCounters = {
    enrollments: 0, reenrollments: 0, enrollFailures: 0, configFetches: 0, checkIns: 0, distributedWrites: 0, queriesAnswered: 0,
    queryErrors: 0, discoverySkipped: 0, scheduledRuns: 0, resultLogLines: 0, statusLogLines: 0, logPosts: 0, httpErrors: 0,
  };
  const context: HostContext = { options, engine, client, scheduler, counters, configs: new Map(), isStopped: () => stopped };
  const startedAtUnix = Math.floor(Date.now() / 1000);
  const hosts = Array.from({ length: options.hosts }, (_, index) => new SimulatedHost(hostIdentity(options.seed, index, options.platformMix), context, startedAtUnix));

  // Start-up ramp: host i starts enrolling no earlier than i / rate seconds in, at most
  // enrollConcurrency at once.
  let rejectReady: (error: Error) => void = () => {};
  const rampStarted = performance.now();
  let nextIndex = 0;
  const worker = async () => {
    while (!stopped && nextIndex < hosts.length) {
      const index = nextIndex++;
      const startAt = rampStarted + (index / options.enrollRatePerSec) * 1000;
      const wait = startAt - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      if (stopped) return;
      await hosts[index].enroll();
      if (stopped) return;
      await hosts[index].begin();
    }
  };
  const ready = new Promise<void>((resolve, reject) => {
    rejectReady = reject;
    Promise.all(Array.from({ length: Math.min(options.enrollConcurrency, hosts.length) }, worker)).then(
      () => (stopped ? reject(new Error('the host simulator stopped before every host enrolled')) : resolve()),
      reject,
    );
  });
  ready.catch(() => {});

  const stats = (): HostSimulatorStats => ({
    hosts: hosts.length,
    enrolled: hosts.reduce((count, host) => count + (host.enrolled ? 1 : 0), 0),
    inFlight: client.inFlight,
    ...counters,
    sql: { ...engine.stats },
  });

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      stopped = true;
      rejectReady(new Error('the host simulator stopped before every host enrolled'));
      for (const host of hosts) host.stop();
      scheduler.stop();
      const deadline = Date.now() + 2000;
      while (client.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      client.close();
      engine.close();
    })();
    return stopping;
  };

  return { hosts, ready, options, stats, stop };
}
