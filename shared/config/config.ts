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
import { VARIABLE_NAMES, VARIABLES, type LogLevel, type VariableName, type VariableRule } from './settings';

export type { LogLevel } from './settings';

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
  };
}

/**
 * A summary of the configuration that is safe to log: URLs lose their credentials. The types
 * make it list every setting (a new one fails to compile until it is added here, redacted if it
 * is a secret).
 */
export function describeConfig(config: Config): Record<string, unknown> {
  const gateway: Record<keyof GatewayConfig, unknown> = {
    maxResultBytes: config.gateway.maxResultBytes,
    campaignWaitMs: config.gateway.campaignWaitMs,
    maxWatcherBufferBytes: config.gateway.maxWatcherBufferBytes,
    watcherStallMs: config.gateway.watcherStallMs,
    sockJsBodyLimitBytes: config.gateway.sockJsBodyLimitBytes,
    campaignPollMs: config.gateway.campaignPollMs,
    topicPartitions: config.gateway.topicPartitions,
    peersPollMs: config.gateway.peersPollMs,
    instanceId: config.gateway.instanceId,
  };
  const loginThrottle: Record<keyof LoginThrottleConfig, unknown> = {
    maxFailuresPerAccount: config.loginThrottle.maxFailuresPerAccount,
    maxFailuresPerAddress: config.loginThrottle.maxFailuresPerAddress,
    failureWindowSeconds: config.loginThrottle.failureWindowSeconds,
    lockoutSeconds: config.loginThrottle.lockoutSeconds,
  };
  const sockets: Record<keyof SocketBounds, unknown> = {
    authTimeoutMs: config.sockets.authTimeoutMs,
    maxUnauthenticated: config.sockets.maxUnauthenticated,
    allowedOrigins: config.sockets.allowedOrigins,
  };
  const tls: Record<keyof TlsConfig, unknown> = {
    port: config.tls.port,
    certFile: config.tls.certFile,
    keyFile: config.tls.keyFile,
    hostnames: config.tls.hostnames,
  };
  const summary: Record<keyof Config, unknown> = {
    port: config.port,
    host: config.host,
    plainHttp: config.plainHttp,
    tls,
    dataDir: config.dataDir,
    eventStoreUrl: config.eventStoreUrl === null ? null : redactUrlCredentials(config.eventStoreUrl),
    mongoUrl: config.mongoUrl === null ? null : redactUrlCredentials(config.mongoUrl),
    mongoDatabase: config.mongoDatabase,
    kafkaBrokers: config.kafkaBrokers,
    logLevel: config.logLevel,
    bodyLimitBytes: config.bodyLimitBytes,
    readYourWritesTimeoutMs: config.readYourWritesTimeoutMs,
    sessionTtlHours: config.sessionTtlHours,
    loginThrottle,
    trustedProxies: config.trustedProxies,
    agentBodyLimitBytes: config.agentBodyLimitBytes,
    hostDetailIntervalSeconds: config.hostDetailIntervalSeconds,
    hostLabelIntervalSeconds: config.hostLabelIntervalSeconds,
    hostPolicyIntervalSeconds: config.hostPolicyIntervalSeconds,
    campaignExpirySeconds: config.campaignExpirySeconds,
    agentSnapshotIntervalSeconds: config.agentSnapshotIntervalSeconds,
    resultsRetentionDays: config.resultsRetentionDays,
    shellSecretTtlMs: config.shellSecretTtlMs,
    shellIdleTimeoutMs: config.shellIdleTimeoutMs,
    sockets,
    gateway,
  };
  return summary;
}

/** Settings valid one by one but not together. */
function combinationProblems(value: { PLAIN_HTTP: boolean; TLS_PORT: number | null; TLS_CERT?: string; TLS_KEY?: string }): string[] {
  const problems: string[] = [];
  if ((value.TLS_CERT === undefined) !== (value.TLS_KEY === undefined)) {
    problems.push(`${value.TLS_CERT === undefined ? 'TLS_KEY' : 'TLS_CERT'} is set without ${value.TLS_CERT === undefined ? 'TLS_CERT' : 'TLS_KEY'}: set both (the operator's certificate) or neither (Logbook makes its own)`);
  }
  if (!value.PLAIN_HTTP && value.TLS_PORT === null) {
    problems.push('PLAIN_HTTP=false with TLS_PORT=off leaves nothing to listen on: enable one of them');
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
    const shown = rule.isUrl ? redactUrlCredentials(rawValue) : rawValue;
    return `${name}=${JSON.stringify(shown)} is invalid: expected ${rule.expected}`;
  });
}
