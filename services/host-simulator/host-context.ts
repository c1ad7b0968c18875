/**
 * What every simulated host shares (options, SQL engine, HTTP client, scheduler, counters, parsed
 * configs), and the events its hooks report: the simulator's shapes, apart from one host's loops.
 */
import type { OsqueryHttpClient } from './osquery-client';
import type { OsqueryConfig } from './osquery-config';
import type { Scheduler } from './scheduler';
import type { SqlEngine } from './sql-engine';
import type { HostSimulatorOptions } from './simulator-options';

export interface SimulatorCounters {
  enrollments: number;
  reenrollments: number;
  enrollFailures: number;
  configFetches: number;
  checkIns: number;
  distributedWrites: number;
  queriesAnswered: number;
  queryErrors: number;
  discoverySkipped: number;
  scheduledRuns: number;
  resultLogLines: number;
  statusLogLines: number;
  logPosts: number;
  httpErrors: number;
}

export interface HostContext {
  options: HostSimulatorOptions;
  engine: SqlEngine;
  client: OsqueryHttpClient;
  scheduler: Scheduler;
  counters: SimulatorCounters;
  /** Parsed configs by their text: hosts with the same config share one parse. */
  configs: Map<string, OsqueryConfig>;
  isStopped(): boolean;
}

export interface HostSummary {
  index: number;
  platform: string;
  hostIdentifier: string;
  uuid: string;
  hostname: string;
}

export interface EnrollEvent {
  host: HostSummary;
  nodeKey: string;
  reenroll: boolean;
}

export interface DistributedReadEvent {
  host: HostSummary;
  receivedAtEpochMs: number;
  queries: Record<string, string>;
  discovery: Record<string, string>;
  accelerate?: number;
}

export interface DistributedWriteEvent {
  host: HostSummary;
  nodeKey: string;
  /** Wall-clock time (ms since the epoch, fractional) when the request got its socket, just before the body went out. */
  sentAtEpochMs: number;
  /** performance.now() at the same moment, for latency within this process. */
  sentAtMonotonicMs: number;
  queryNames: string[];
  statuses: Record<string, number>;
  rowCounts: Record<string, number>;
}
