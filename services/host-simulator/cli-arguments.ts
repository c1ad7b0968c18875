/**
 * Command-line flags (and HOST_SIMULATOR_* environment variables) for the host simulator.
 * A flag wins over its environment variable; problems are collected and reported together.
 */
import { readFileSync } from 'node:fs';
import { parseCliOptions } from '../../shared/cli/parse-cli-options';
import type { PlatformMix } from './host-identity';
import { PLATFORMS, type Platform } from './platforms';
import { DEFAULT_OPTIONS, optionProblems, withDefaults, type HostIdentifierKind, type HostSimulatorOptions } from './simulator-options';

export interface CliSettings {
  options: HostSimulatorOptions;
  statsIntervalSec: number;
  /** Stop by itself after this many seconds (0: run until SIGINT/SIGTERM). */
  durationSec: number;
}

export type CliParseResult = { kind: 'run'; settings: CliSettings } | { kind: 'help'; text: string } | { kind: 'error'; problems: string[] };

interface FlagSpec {
  type: 'string' | 'boolean';
  help: string;
}

const FLAGS: Record<string, FlagSpec> = {
  url: { type: 'string', help: 'server base URL, e.g. http://127.0.0.1:8080 (required)' },
  'enroll-secret': { type: 'string', help: 'enroll secret (required)' },
  hosts: { type: 'string', help: `number of hosts (default ${DEFAULT_OPTIONS.hosts})` },
  seed: { type: 'string', help: `identity seed: same seed, same hosts (default ${DEFAULT_OPTIONS.seed})` },
  platforms: { type: 'string', help: 'platform mix as weights, e.g. darwin=3,ubuntu=3,centos=1,windows=3 (the default) or ubuntu' },
  'host-identifier': { type: 'string', help: 'what is sent as host_identifier: uuid (default), hostname or instance' },
  'distributed-interval': { type: 'string', help: `seconds between distributed/read check-ins (default ${DEFAULT_OPTIONS.distributedIntervalSec})` },
  'config-refresh': { type: 'string', help: `seconds between config fetches (default ${DEFAULT_OPTIONS.configRefreshSec})` },
  'logger-tls-period': { type: 'string', help: `seconds between log flushes (default ${DEFAULT_OPTIONS.loggerTlsPeriodSec})` },
  'accelerate-interval': { type: 'string', help: `check-in seconds while accelerated (default ${DEFAULT_OPTIONS.accelerateIntervalSec}, as osqueryd)` },
  'logger-tls-max-lines': { type: 'string', help: `max log lines per POST (default ${DEFAULT_OPTIONS.loggerTlsMaxLines})` },
  'query-error-probability': { type: 'string', help: 'probability (0..1) that a distributed query reports an error (default 0)' },
  'empty-result-probability': { type: 'string', help: 'probability (0..1) that a distributed query returns no rows (default 0)' },
  jitter: { type: 'string', help: `fraction by which each wait varies, 0..<1 (default ${DEFAULT_OPTIONS.jitter})` },
  'enroll-rate': { type: 'string', help: `enrolls started per second during ramp-up (default ${DEFAULT_OPTIONS.enrollRatePerSec})` },
  'enroll-concurrency': { type: 'string', help: `enrolls in flight at most (default ${DEFAULT_OPTIONS.enrollConcurrency})` },
  'max-sockets': { type: 'string', help: `keep-alive sockets to the server at most (default ${DEFAULT_OPTIONS.maxSockets})` },
  'request-timeout-ms': { type: 'string', help: `per-request timeout (default ${DEFAULT_OPTIONS.requestTimeoutMs})` },
  insecure: { type: 'boolean', help: 'accept any TLS certificate (no verification)' },
  ca: { type: 'string', help: 'PEM file of the CA(s) to verify an https:// server by, e.g. the chain from /api/v1/fleet/config/certificate' },
  'ignore-config-options': { type: 'boolean', help: 'do not take intervals from the config options the server sends' },
  'no-status-logs': { type: 'boolean', help: 'send no status logs' },
  'stats-interval': { type: 'string', help: 'seconds between stats lines (default 10; 0 for none)' },
  duration: { type: 'string', help: 'stop after this many seconds (default 0: until SIGINT/SIGTERM)' },
  help: { type: 'boolean', help: 'show this help' },
};

export function usage(): string {
  const lines = ['Usage: node dist/services/host-simulator/main.js --url URL --enroll-secret SECRET [options]', '', 'Options (each also as an environment variable HOST_SIMULATOR_<NAME>, e.g. HOST_SIMULATOR_ENROLL_SECRET):'];
  for (const [name, spec] of Object.entries(FLAGS)) lines.push(`  --${name.padEnd(26)} ${spec.help}`);
  return lines.join('\n');
}

function envName(flag: string): string {
  return `HOST_SIMULATOR_${flag.toUpperCase().replace(/-/g, '_')}`;
}

function parsePlatformMix(text: string, problems: string[]): PlatformMix | undefined {
  const mix: PlatformMix = { darwin: 0, ubuntu: 0, centos: 0, windows: 0 };
  for (const part of text.split(',').map((item) => item.trim()).filter(Boolean)) {
    const [name, weightText] = part.split('=').map((item) => item.trim());
    if (!(PLATFORMS as readonly string[]).includes(name)) {
      problems.push(`--platforms: unknown platform "${name}" (known: ${PLATFORMS.join(', ')})`);
      continue;
    }
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (!Number.isFinite(weight) || weight < 0) {
      problems.push(`--platforms: weight of ${name} must be a non-negative number, got "${weightText}"`);
      continue;
    }
    mix[name as Platform] = weight;
  }
  return mix;
}

export function parseCliArguments(argv: string[], env: NodeJS.ProcessEnv): CliParseResult {
  let parsed;
  try {
    const options = Object.fromEntries(Object.entries(FLAGS).map(([name, spec]) => [name, { type: spec.type }]));
    parsed = parseCliOptions(options, argv, { strict: true, allowPositionals: false });
  } catch (error) {
    return { kind: 'error', problems: [error instanceof Error ? error.message : String(error)] };
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { kind: 'help', text: usage() };

  const value = (flag: string): string | undefined => {
    const fromFlag = values[flag];
    if (typeof fromFlag === 'string') return fromFlag;
    const fromEnv = env[envName(flag)];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const flag = (name: string): boolean => values[name] === true || ['1', 'true', 'yes'].includes((env[envName(name)] ?? '').toLowerCase());
  const problems: string[] = [];
  const number = (name: string, fallback: number): number => {
    const text = value(name);
    if (text === undefined) return fallback;
    const parsedNumber = Number(text);
    if (text.trim() === '' || !Number.isFinite(parsedNumber)) {
      problems.push(`--${name} must be a number, got "${text}"`);
      return fallback;
    }
    return parsedNumber;
  };

  const url = value('url');
  const enrollSecret = value('enroll-secret');
  if (url === undefined) problems.push(`--url (or ${envName('url')}) is required`);
  if (enrollSecret === undefined) problems.push(`--enroll-secret (or ${envName('enroll-secret')}) is required`);
  const platformsText = value('platforms');
  const caFile = value('ca');
  let ca: string | null = null;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      problems.push(`--ca: cannot read ${caFile}: ${(error as Error).message}`);
    }
  }
  const options = withDefaults({
    url: url ?? '',
    enrollSecret: enrollSecret ?? '',
    hosts: number('hosts', DEFAULT_OPTIONS.hosts),
    seed: value('seed') ?? DEFAULT_OPTIONS.seed,
    platformMix: platformsText === undefined ? DEFAULT_OPTIONS.platformMix : parsePlatformMix(platformsText, problems),
    hostIdentifier: (value('host-identifier') ?? DEFAULT_OPTIONS.hostIdentifier) as HostIdentifierKind,
    distributedIntervalSec: number('distributed-interval', DEFAULT_OPTIONS.distributedIntervalSec),
    configRefreshSec: number('config-refresh', DEFAULT_OPTIONS.configRefreshSec),
    loggerTlsPeriodSec: number('logger-tls-period', DEFAULT_OPTIONS.loggerTlsPeriodSec),
    accelerateIntervalSec: number('accelerate-interval', DEFAULT_OPTIONS.accelerateIntervalSec),
    loggerTlsMaxLines: number('logger-tls-max-lines', DEFAULT_OPTIONS.loggerTlsMaxLines),
    queryErrorProbability: number('query-error-probability', DEFAULT_OPTIONS.queryErrorProbability),
    emptyResultProbability: number('empty-result-probability', DEFAULT_OPTIONS.emptyResultProbability),
    jitter: number('jitter', DEFAULT_OPTIONS.jitter),
    enrollRatePerSec: number('enroll-rate', DEFAULT_OPTIONS.enrollRatePerSec),
    enrollConcurrency: number('enroll-concurrency', DEFAULT_OPTIONS.enrollConcurrency),
    maxSockets: number('max-sockets', DEFAULT_OPTIONS.maxSockets),
    requestTimeoutMs: number('request-timeout-ms', DEFAULT_OPTIONS.requestTimeoutMs),
    insecure: flag('insecure'),
    ca,
    honorConfigOptions: !flag('ignore-config-options'),
    statusLogs: !flag('no-status-logs'),
  });
  const statsIntervalSec = number('stats-interval', 10);
  const durationSec = number('duration', 0);
  if (statsIntervalSec < 0) problems.push(`--stats-interval must be 0 or more, got ${statsIntervalSec}`);
  if (durationSec < 0) problems.push(`--duration must be 0 or more, got ${durationSec}`);
  if (url !== undefined && enrollSecret !== undefined) problems.push(...optionProblems(options));
  else problems.push(...optionProblems({ ...options, url: 'http://placeholder', enrollSecret: 'placeholder' }));
  if (problems.length > 0) return { kind: 'error', problems };
  return { kind: 'run', settings: { options, statsIntervalSec, durationSec } };
}
