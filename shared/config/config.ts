/**
 * Service configuration, read from environment variables and validated once at start-up: one
 * loader for every service's settings (settings.ts lists the variables, parsers.ts parses them).
 *
 * Every problem is collected and reported together in one ConfigError, one line per variable,
 * so an operator fixes the whole environment in one go rather than one variable per restart.
 * Empty values (`MONGO_URL=`) count as unset, which is how compose files switch an adapter off.
 */
import path from 'node:path';
import Joi from 'joi';
import { redactUrlCredentials } from './parsers';
import { VARIABLE_NAMES, VARIABLES, type KafkaSaslMechanism, type LogLevel, type LogPlugin, type VariableName, type VariableRule } from './settings';

export type { LogLevel, LogPlugin } from './settings';
export { describeConfig } from './describe-config';

export interface Config {
  port: number;
  host: string;
  /** Whether the all-in-one process serves plain HTTP on `port` (the other services always do: a proxy terminates TLS for them). */
  plainHttp: boolean;
  /** The all-in-one process's HTTPS listener. */
  tls: TlsConfig;
  dataDir: string;
  eventStoreUrl: string | null;
  mongoUrl: string | null;
  mongoDatabase: string;
  kafkaBrokers: string[] | null;
  /** TLS and SASL towards the Kafka brokers (only with kafkaBrokers). */
  kafkaSecurity: KafkaSecurityConfig;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  readYourWritesTimeoutMs: number;
  sessionTtlHours: number;
  loginThrottle: LoginThrottleConfig;
  /**
   * Reverse proxies (IP addresses or CIDR subnets) whose X-Forwarded-For names the client; empty:
   * the socket's peer is the client, whatever the header says.
   */
  trustedProxies: string[];
  agentBodyLimitBytes: number;
  hostDetailIntervalSeconds: number;
  hostLabelIntervalSeconds: number;
  hostPolicyIntervalSeconds: number;
  campaignExpirySeconds: number;
  /** Seconds between agent view snapshots (services/agent-api/view-snapshots.ts); 0: none. */
  agentSnapshotIntervalSeconds: number;
  /** Stored results of a campaign are deleted this many days after it ended; 0 keeps them forever. */
  resultsRetentionDays: number;
  /** How long a shell session's one-time secret stays usable by the launcher. */
  shellSecretTtlMs: number;
  /** A shell session with no frame either way for this long is closed. */
  shellIdleTimeoutMs: number;
  /** Bounds on every socket (results watchers and shells) before and after authentication. */
  sockets: SocketBounds;
  /** The results gateway's settings (what startResultsGateway takes). */
  gateway: GatewayConfig;
  /** Start-up, dependency waits, metrics and access log (README "Operations"). */
  operations: OperationsConfig;
  /** Where osquery's scheduled query results and status logs go. */
  hostLogs: HostLogsConfig;
}

export interface OperationsConfig {
  /** Start-up retries an unreachable EventStoreDB, MongoDB or Kafka with backoff for this long (0: once). */
  startupRetrySeconds: number;
  /** A results bus produce not acknowledged within this fails (a 5xx), and a ping slower than this marks the bus down. */
  resultsBusTimeoutMs: number;
  /** When set, /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken: string | null;
  /** One log line per HTTP request. */
  accessLog: boolean;
}

export interface HostLogDestination {
  plugin: LogPlugin;
  /** The JSON-lines file of the filesystem plugin. */
  file: string;
}

export interface HostLogsConfig {
  result: HostLogDestination;
  status: HostLogDestination;
  /** A file reaching this size is renamed to file.1 (file.1 to file.2, ...) and a new one started. */
  fileMaxBytes: number;
  /** Rotated files kept; the oldest beyond are deleted. */
  fileMaxBackups: number;
}

export interface TlsConfig {
  /** The HTTPS port (0: any free port); null when TLS_PORT=off. */
  port: number | null;
  /** The operator's certificate (PEM, leaf then intermediates) and key; both null: Logbook makes its own under DATA_DIR/tls. */
  certFile: string | null;
  keyFile: string | null;
  /** Extra names the generated server certificate covers. */
  hostnames: string[];
}

export interface KafkaSecurityConfig {
  /** TLS to the brokers, its PEM files as absolute paths (all null: the system's CAs, no client certificate); null: plaintext. */
  tls: { caFile: string | null; certFile: string | null; keyFile: string | null } | null;
  /** SASL authentication; null: none. */
  sasl: { mechanism: KafkaSaslMechanism; username: string; password: string } | null;
}

/** Failed logins allowed per account and per client address within the window, and the lockout after (see login-throttle.ts). */
export interface LoginThrottleConfig {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  failureWindowSeconds: number;
  lockoutSeconds: number;
}

export interface SocketBounds {
  /** A socket not authenticated this long after it opened gets an error (where it can) and is closed. */
  authTimeoutMs: number;
  /** Sockets not yet authenticated, per process; beyond, new ones are refused. */
  maxUnauthenticated: number;
  /**
   * Browser origins (besides the server's own) whose socket upgrades and SockJS/Socket.IO
   * requests are accepted; a request without an Origin header (not a browser) always is.
   */
  allowedOrigins: string[];
}

export interface GatewayConfig {
  /** A result message larger than this (bytes) is recorded as an error for its host instead. */
  maxResultBytes: number;
  /**
   * A result for a campaign not (yet) in the read model is retried until its message is this old
   * (ms since it was produced), then dropped: the campaign doc is projected shortly after creation,
   * and the first results may arrive first. Keep it well under the Kafka session timeout (10 s).
   */
  campaignWaitMs: number;
  /** A watcher whose unsent frames exceed this many bytes is disconnected (see campaign-watcher). */
  maxWatcherBufferBytes: number;
  /** A replay that could send nothing for this long, its watcher not reading, is cut off as too slow. */
  watcherStallMs: number;
  /** Largest body of one SockJS polling request (xhr_send, jsonp_send). */
  sockJsBodyLimitBytes: number;
  /** How often a watched, unfinished campaign's status is re-read (stopped/completed/expired). */
  campaignPollMs: number;
  /** Partitions of the gateway's topics when it creates them. */
  topicPartitions: number;
  /**
   * How often the recorder looks for other gateway instances (their live fan-out groups); it
   * relays what it records only while another instance is there.
   */
  peersPollMs: number;
  /** Names this instance: its live fan-out consumer group and the origin of what it relays. */
  instanceId: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const environmentSchema = Joi.object(
  Object.fromEntries(VARIABLE_NAMES.map((name) => [name, VARIABLES[name].schema])),
).options({ abortEarly: false, convert: true });

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const raw = pickSetVariables(env);
  const { value, error } = environmentSchema.validate(raw);
  if (error) {
    throw new ConfigError(describeProblems(error, raw));
  }
  const combined = combinationProblems(value);
  if (combined.length > 0) throw new ConfigError(combined);
  return {
    port: value.PORT,
    host: value.HOST,
    plainHttp: value.PLAIN_HTTP,
    tls: {
      port: value.TLS_PORT,
      certFile: value.TLS_CERT === undefined ? null : path.resolve(value.TLS_CERT),
      keyFile: value.TLS_KEY === undefined ? null : path.resolve(value.TLS_KEY),
      hostnames: value.TLS_HOSTNAMES,
    },
    dataDir: path.resolve(value.DATA_DIR),
    eventStoreUrl: value.EVENTSTORE_URL ?? null,
    mongoUrl: value.MONGO_URL ?? null,
    mongoDatabase: value.MONGO_DB,
    kafkaBrokers: value.KAFKA_BROKERS ?? null,
    kafkaSecurity: kafkaSecurityOf(value),
    logLevel: value.LOG_LEVEL,
    bodyLimitBytes: value.BODY_LIMIT,
    readYourWritesTimeoutMs: value.READ_YOUR_WRITES_TIMEOUT_MS,
    sessionTtlHours: value.SESSION_TTL_HOURS,
    loginThrottle: {
      maxFailuresPerAccount: value.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerAddress: value.LOGIN_MAX_FAILURES_PER_ADDRESS,
      failureWindowSeconds: value.LOGIN_FAILURE_WINDOW_S,
      lockoutSeconds: value.LOGIN_LOCKOUT_S,
    },
    trustedProxies: value.TRUSTED_PROXIES,
    agentBodyLimitBytes: value.AGENT_BODY_LIMIT,
    hostDetailIntervalSeconds: value.HOST_DETAIL_INTERVAL_S,
    hostLabelIntervalSeconds: value.HOST_LABEL_INTERVAL_S,
    hostPolicyIntervalSeconds: value.HOST_POLICY_INTERVAL_S,
    agentSnapshotIntervalSeconds: value.AGENT_SNAPSHOT_INTERVAL_S,
    campaignExpirySeconds: value.CAMPAIGN_EXPIRY_S,
    resultsRetentionDays: value.RESULTS_RETENTION_DAYS,
    shellSecretTtlMs: value.SHELL_SECRET_TTL_MS,
    shellIdleTimeoutMs: value.SHELL_IDLE_TIMEOUT_MS,
    sockets: {
      authTimeoutMs: value.SOCKET_AUTH_TIMEOUT_MS,
      maxUnauthenticated: value.MAX_UNAUTHENTICATED_SOCKETS,
      allowedOrigins: value.ALLOWED_ORIGINS,
    },
    gateway: {
      maxResultBytes: value.RESULT_MAX_BYTES,
      campaignWaitMs: value.CAMPAIGN_WAIT_MS,
      maxWatcherBufferBytes: value.WATCHER_BUFFER_BYTES,
      watcherStallMs: value.WATCHER_STALL_MS,
      sockJsBodyLimitBytes: value.SOCKJS_BODY_LIMIT,
      campaignPollMs: value.CAMPAIGN_POLL_MS,
      topicPartitions: value.RESULTS_TOPIC_PARTITIONS,
      peersPollMs: value.GATEWAY_PEERS_POLL_MS,
      instanceId: value.GATEWAY_INSTANCE_ID,
    },
    operations: {
      startupRetrySeconds: value.STARTUP_RETRY_S,
      resultsBusTimeoutMs: value.RESULTS_BUS_TIMEOUT_MS,
      metricsToken: value.METRICS_TOKEN ?? null,
      accessLog: value.ACCESS_LOG,
    },
    hostLogs: hostLogsOf(value),
  };
}

/** Filesystem by default; kafka (the bus topics, as before) when KAFKA_BROKERS is set. */
function hostLogsOf(value: Record<string, unknown>): HostLogsConfig {
  const dataDir = path.resolve(value.DATA_DIR as string);
  const fallback: LogPlugin = value.KAFKA_BROKERS === undefined ? 'filesystem' : 'kafka';
  const file = (setting: unknown, name: string) => (typeof setting === 'string' ? path.resolve(setting) : path.join(dataDir, name));
  return {
    result: { plugin: (value.OSQUERY_RESULT_LOG_PLUGIN as LogPlugin | undefined) ?? fallback, file: file(value.OSQUERY_RESULT_LOG_FILE, 'osquery_result.log') },
    status: { plugin: (value.OSQUERY_STATUS_LOG_PLUGIN as LogPlugin | undefined) ?? fallback, file: file(value.OSQUERY_STATUS_LOG_FILE, 'osquery_status.log') },
    fileMaxBytes: value.OSQUERY_LOG_FILE_MAX_BYTES as number,
    fileMaxBackups: value.OSQUERY_LOG_FILE_MAX_BACKUPS as number,
  };
}

interface KafkaSecurityVariables {
  KAFKA_SSL?: boolean;
  KAFKA_SSL_CA?: string;
  KAFKA_SSL_CERT?: string;
  KAFKA_SSL_KEY?: string;
  KAFKA_SASL_MECHANISM?: KafkaSaslMechanism;
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
}

const KAFKA_SECURITY_NAMES = ['KAFKA_SSL', 'KAFKA_SSL_CA', 'KAFKA_SSL_CERT', 'KAFKA_SSL_KEY', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;

/** Called once combinationProblems found nothing: SASL then has all three values or none. */
function kafkaSecurityOf(value: KafkaSecurityVariables): KafkaSecurityConfig {
  const file = (name: string | undefined) => (name === undefined ? null : path.resolve(name));
  const tlsOn = value.KAFKA_SSL === true || value.KAFKA_SSL_CA !== undefined || value.KAFKA_SSL_CERT !== undefined;
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = value;
  return {
    tls: tlsOn ? { caFile: file(value.KAFKA_SSL_CA), certFile: file(value.KAFKA_SSL_CERT), keyFile: file(value.KAFKA_SSL_KEY) } : null,
    sasl: mechanism !== undefined && username !== undefined && password !== undefined ? { mechanism, username, password } : null,
  };
}

/** Settings valid one by one but not together. */
function combinationProblems(value: { PLAIN_HTTP: boolean; TLS_PORT: number | null; TLS_CERT?: string; TLS_KEY?: string; KAFKA_BROKERS?: string[]; OSQUERY_RESULT_LOG_PLUGIN?: string; OSQUERY_STATUS_LOG_PLUGIN?: string } & KafkaSecurityVariables): string[] {
  const problems: string[] = [];
  for (const name of ['OSQUERY_RESULT_LOG_PLUGIN', 'OSQUERY_STATUS_LOG_PLUGIN'] as const) {
    if (value[name] === 'kafka' && value.KAFKA_BROKERS === undefined) problems.push(`${name}=kafka needs KAFKA_BROKERS: without Kafka the lines would only be held in memory`);
  }
  const pair = (first: string, firstValue: unknown, second: string, secondValue: unknown, why: string) => {
    if ((firstValue === undefined) !== (secondValue === undefined)) {
      problems.push(`${firstValue === undefined ? second : first} is set without ${firstValue === undefined ? first : second}: ${why}`);
    }
  };
  pair('TLS_CERT', value.TLS_CERT, 'TLS_KEY', value.TLS_KEY, "set both (the operator's certificate) or neither (Logbook makes its own)");
  if (!value.PLAIN_HTTP && value.TLS_PORT === null) {
    problems.push('PLAIN_HTTP=false with TLS_PORT=off leaves nothing to listen on: enable one of them');
  }
  const kafkaSet = KAFKA_SECURITY_NAMES.filter((name) => value[name] !== undefined);
  if (kafkaSet.length > 0 && value.KAFKA_BROKERS === undefined) {
    problems.push(`${kafkaSet.join(', ')} ${kafkaSet.length === 1 ? 'is' : 'are'} set without KAFKA_BROKERS: they say how to reach Kafka, which is not used (set KAFKA_BROKERS, or unset them)`);
  }
  if (value.KAFKA_SSL === false && (value.KAFKA_SSL_CA !== undefined || value.KAFKA_SSL_CERT !== undefined)) {
    problems.push('KAFKA_SSL=false with KAFKA_SSL_CA or KAFKA_SSL_CERT: those are TLS files, so set KAFKA_SSL=true or unset them');
  }
  pair('KAFKA_SSL_CERT', value.KAFKA_SSL_CERT, 'KAFKA_SSL_KEY', value.KAFKA_SSL_KEY, 'a client certificate needs its key: set both or neither');
  const sasl = { KAFKA_SASL_MECHANISM: value.KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME: value.KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: value.KAFKA_SASL_PASSWORD };
  const saslSet = Object.entries(sasl).filter(([, setting]) => setting !== undefined).map(([name]) => name);
  if (saslSet.length > 0 && saslSet.length < 3) {
    const unset = Object.keys(sasl).filter((name) => !saslSet.includes(name));
    problems.push(`${saslSet.join(', ')} ${saslSet.length === 1 ? 'is' : 'are'} set without ${unset.join(' and ')}: SASL needs a mechanism, a user name and a password`);
  }
  return problems;
}

function pickSetVariables(env: NodeJS.ProcessEnv): Partial<Record<VariableName, string>> {
  const raw: Partial<Record<VariableName, string>> = {};
  for (const name of VARIABLE_NAMES) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') {
      raw[name] = value;
    }
  }
  return raw;
}

function describeProblems(
  error: Joi.ValidationError,
  raw: Partial<Record<VariableName, string>>,
): string[] {
  const invalidNames = new Set<VariableName>();
  for (const detail of error.details) {
    invalidNames.add(detail.path[0] as VariableName);
  }
  return VARIABLE_NAMES.filter((name) => invalidNames.has(name)).map((name) => {
    const rule: VariableRule = VARIABLES[name];
    const rawValue = raw[name] ?? '';
    const shown = rule.isSecret ? '***' : rule.isUrl ? redactUrlCredentials(rawValue) : rawValue;
    return `${name}=${JSON.stringify(shown)} is invalid: expected ${rule.expected}`;
  });
}
