/** The host simulator's settings, their defaults, and their validation (shared by CLI and API). */
import type { PlatformMix } from './host-identity';
import { PLATFORMS } from './platforms';
import type { DistributedReadEvent, DistributedWriteEvent, EnrollEvent } from './host-context';

export type HostIdentifierKind = 'uuid' | 'hostname' | 'instance';

export interface HostSimulatorHooks {
  /** After each successful distributed/read that carried queries (before they run). */
  onDistributedRead?: (event: DistributedReadEvent) => void;
  /** When each distributed/write request has its socket, just before its body goes out. */
  onDistributedWrite?: (event: DistributedWriteEvent) => void;
  /** After each successful enroll (also re-enrolls). */
  onEnroll?: (event: EnrollEvent) => void;
}

export interface HostSimulatorOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8080 (https:// for TLS). */
  url: string;
  enrollSecret: string;
  hosts: number;
  /** Same seed, same hosts (uuid, hostname, serial, platform). */
  seed: string;
  /** Relative weights per platform. */
  platformMix: PlatformMix;
  /** What osqueryd's --host_identifier would be: which value is sent as host_identifier. */
  hostIdentifier: HostIdentifierKind;
  distributedIntervalSec: number;
  configRefreshSec: number;
  loggerTlsPeriodSec: number;
  /** Check-in interval while accelerated (osquery's kDistributedAccelerationInterval is 5 s). */
  accelerateIntervalSec: number;
  /** Max lines per log POST (osquery's logger_tls_max_lines). */
  loggerTlsMaxLines: number;
  /** Probability that a distributed query reports an error instead of running. */
  queryErrorProbability: number;
  /** Probability that a distributed query that ran reports no rows. */
  emptyResultProbability: number;
  /** Each wait is stretched or shrunk by up to this fraction (0.1 = ±10 %). */
  jitter: number;
  /** Start-up ramp: enrolls started per second, and at most this many at once. */
  enrollRatePerSec: number;
  enrollConcurrency: number;
  /** Keep-alive socket pool size shared by all hosts. */
  maxSockets: number;
  requestTimeoutMs: number;
  /** Accept any certificate on https:// URLs (no verification). */
  insecure: boolean;
  /** PEM CA certificates that https:// servers are verified against instead of the system's (null: the system's). */
  ca: string | null;
  /** Take distributed_interval, config_refresh and logger_tls_period from the config's options. */
  honorConfigOptions: boolean;
  /** Send status logs (osqueryd's own log lines). */
  statusLogs: boolean;
  hooks: HostSimulatorHooks;
}

export const DEFAULT_OPTIONS: Omit<HostSimulatorOptions, 'url' | 'enrollSecret'> = {
  hosts: 100,
  seed: 'logbook',
  platformMix: { darwin: 3, ubuntu: 3, centos: 1, windows: 3 },
  hostIdentifier: 'uuid',
  distributedIntervalSec: 10,
  configRefreshSec: 60,
  loggerTlsPeriodSec: 10,
  accelerateIntervalSec: 5,
  loggerTlsMaxLines: 1024,
  queryErrorProbability: 0,
  emptyResultProbability: 0,
  jitter: 0.1,
  enrollRatePerSec: 500,
  enrollConcurrency: 64,
  maxSockets: 64,
  requestTimeoutMs: 30_000,
  insecure: false,
  ca: null,
  honorConfigOptions: true,
  statusLogs: true,
  hooks: {},
};

export function withDefaults(options: Partial<HostSimulatorOptions> & Pick<HostSimulatorOptions, 'url' | 'enrollSecret'>): HostSimulatorOptions {
  return { ...DEFAULT_OPTIONS, ...options, platformMix: { ...(options.platformMix ?? DEFAULT_OPTIONS.platformMix) }, hooks: options.hooks ?? {} };
}

/** Every problem with the options, one sentence each; empty when they are usable. */
export function optionProblems(options: HostSimulatorOptions): string[] {
  const problems: string[] = [];
  try {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`url must be http:// or https://, got ${url.protocol}`);
  } catch {
    problems.push(`url is not a valid URL: ${JSON.stringify(options.url)}`);
  }
  if (typeof options.enrollSecret !== 'string' || options.enrollSecret === '') problems.push('enroll secret is required');
  const integer = (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  };
  const positive = (name: string, value: number) => {
    if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) problems.push(`${name} must be a number above 0, got ${value}`);
  };
  const probability = (name: string, value: number) => {
    if (!(typeof value === 'number' && value >= 0 && value <= 1)) problems.push(`${name} must be a probability from 0 to 1, got ${value}`);
  };
  integer('hosts', options.hosts, 1, 1_000_000);
  positive('distributed interval', options.distributedIntervalSec);
  positive('config refresh', options.configRefreshSec);
  positive('logger TLS period', options.loggerTlsPeriodSec);
  positive('accelerate interval', options.accelerateIntervalSec);
  integer('logger TLS max lines', options.loggerTlsMaxLines, 1);
  probability('query error probability', options.queryErrorProbability);
  probability('empty result probability', options.emptyResultProbability);
  if (!(options.jitter >= 0 && options.jitter < 1)) problems.push(`jitter must be a fraction from 0 up to (not including) 1, got ${options.jitter}`);
  positive('enroll rate', options.enrollRatePerSec);
  integer('enroll concurrency', options.enrollConcurrency, 1);
  integer('max sockets', options.maxSockets, 1);
  integer('request timeout', options.requestTimeoutMs, 1);
  if (!['uuid', 'hostname', 'instance'].includes(options.hostIdentifier)) problems.push(`host identifier must be uuid, hostname or instance, got ${options.hostIdentifier}`);
  const weights = PLATFORMS.map((platform) => options.platformMix[platform] ?? 0);
  if (weights.some((weight) => !(weight >= 0)) || weights.every((weight) => weight === 0)) {
    problems.push(`platform mix needs non-negative weights with at least one above 0 (platforms: ${PLATFORMS.join(', ')})`);
  }
  for (const name of Object.keys(options.platformMix)) {
    if (!(PLATFORMS as readonly string[]).includes(name)) problems.push(`unknown platform in mix: ${name} (known: ${PLATFORMS.join(', ')})`);
  }
  return problems;
}
