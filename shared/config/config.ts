/**
 * Service configuration, read from environment variables and validated once at start-up.
 *
 * Every problem is collected and reported together in one ConfigError, one line per variable,
 * so an operator fixes the whole environment in one go rather than one variable per restart.
 * Empty values (`MONGO_URL=`) count as unset, which is how compose files switch an adapter off.
 */
import path from 'node:path';
import Joi from 'joi';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  eventStoreUrl: string | null;
  mongoUrl: string | null;
  mongoDatabase: string;
  kafkaBrokers: string[] | null;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  readYourWritesTimeoutMs: number;
  sessionTtlHours: number;
  agentBodyLimitBytes: number;
  hostDetailIntervalSeconds: number;
  hostLabelIntervalSeconds: number;
  hostPolicyIntervalSeconds: number;
  campaignExpirySeconds: number;
  /** Stored results of a campaign are deleted this many days after it ended; 0 keeps them forever. */
  resultsRetentionDays: number;
  /** How long a shell session's one-time secret stays usable by the launcher. */
  shellSecretTtlMs: number;
  /** A shell session with no frame either way for this long is closed. */
  shellIdleTimeoutMs: number;
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

/** Largest delay Node's timers accept; a longer read-your-writes wait would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;
const TEN_YEARS_IN_HOURS = 24 * 365 * 10;
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

interface VariableRule {
  schema: Joi.Schema;
  /** What a valid value looks like, for the error message. */
  expected: string;
  /** The value is a URL that may carry credentials: never echo them back. */
  isUrl?: boolean;
}

const VARIABLES = {
  PORT: {
    schema: Joi.number().integer().min(0).max(65535).default(8080),
    expected: 'an integer port from 0 to 65535 (0 picks any free port)',
  },
  HOST: {
    schema: Joi.string()
      .custom((value: string, helpers) => (isHostOrIp(value) ? value : helpers.error('any.invalid')))
      .default('0.0.0.0'),
    expected: 'a host name or IP address to listen on, such as 0.0.0.0, 127.0.0.1 or ::',
  },
  DATA_DIR: {
    schema: Joi.string().default('./data'),
    expected: 'a directory path',
  },
  EVENTSTORE_URL: {
    schema: connectionUrl(['esdb', 'esdb+discover'], { singleHostWithoutPort: [] }),
    expected: 'an EventStoreDB connection string such as esdb://eventstore:2113?tls=false ' +
      '(scheme esdb:// or esdb+discover://)',
    isUrl: true,
  },
  MONGO_URL: {
    schema: connectionUrl(['mongodb', 'mongodb+srv'], { singleHostWithoutPort: ['mongodb+srv'] }),
    expected: 'a MongoDB connection string such as mongodb://mongo:27017 ' +
      '(scheme mongodb:// or mongodb+srv://)',
    isUrl: true,
  },
  MONGO_DB: {
    schema: Joi.string().pattern(/^[^/\\. "$*<>:|?]{1,63}$/).default('logbook'),
    expected: 'a MongoDB database name: 1 to 63 characters, none of / \\ . space " $ * < > : | ?',
  },
  KAFKA_BROKERS: {
    schema: Joi.string().custom((value: string, helpers) => {
      const brokers = parseBrokerList(value);
      return brokers ?? helpers.error('any.invalid');
    }),
    expected: 'a comma-separated list of host:port, such as kafka:9092 or k1:9092,k2:9092',
  },
  LOG_LEVEL: {
    schema: Joi.string().lowercase().valid(...LOG_LEVELS).default('info'),
    expected: `one of ${LOG_LEVELS.join(', ')}`,
  },
  BODY_LIMIT: {
    schema: byteSize().default(1_048_576),
    expected: 'a positive size in bytes (such as 1048576) or with a unit b, kb, mb or gb ' +
      '(such as 512kb or 1mb; 1kb = 1024 bytes)',
  },
  READ_YOUR_WRITES_TIMEOUT_MS: {
    schema: Joi.number().integer().min(0).max(MAX_TIMER_MS).default(5000),
    expected: `an integer number of milliseconds from 0 to ${MAX_TIMER_MS}`,
  },
  SESSION_TTL_HOURS: {
    schema: Joi.number().positive().max(TEN_YEARS_IN_HOURS).default(24),
    expected: `a number of hours greater than 0 and at most ${TEN_YEARS_IN_HOURS} (fractions allowed)`,
  },
  AGENT_BODY_LIMIT: {
    schema: byteSize().default(16 * 1_048_576),
    expected: 'a positive size in bytes or with a unit b, kb, mb or gb, for bodies osquery hosts send (such as 16mb)',
  },
  HOST_DETAIL_INTERVAL_S: {
    schema: intervalSeconds().default(3600),
    expected: 'a whole number of seconds from 1 to 604800: how often hosts refresh their facts',
  },
  HOST_LABEL_INTERVAL_S: {
    schema: intervalSeconds().default(3600),
    expected: 'a whole number of seconds from 1 to 604800: how often hosts re-run label queries',
  },
  HOST_POLICY_INTERVAL_S: {
    schema: intervalSeconds().default(3600),
    expected: 'a whole number of seconds from 1 to 604800: how often hosts re-run policy queries',
  },
  CAMPAIGN_EXPIRY_S: {
    schema: intervalSeconds().default(900),
    expected: 'a whole number of seconds from 1 to 604800: how long a live query campaign waits for hosts to answer',
  },
  RESULTS_RETENTION_DAYS: {
    schema: Joi.number().min(0).max(3650).default(0),
    expected: 'a number of days from 0 to 3650 (fractions allowed; 0 keeps live query results forever)',
  },
  SHELL_SECRET_TTL_MS: {
    schema: Joi.number().integer().min(1).max(MAX_TIMER_MS).default(60_000),
    expected: `an integer number of milliseconds from 1 to ${MAX_TIMER_MS}`,
  },
  SHELL_IDLE_TIMEOUT_MS: {
    schema: Joi.number().integer().min(1).max(MAX_TIMER_MS).default(900_000),
    expected: `an integer number of milliseconds from 1 to ${MAX_TIMER_MS}`,
  },
} satisfies Record<string, VariableRule>;

function byteSize(): Joi.StringSchema {
  return Joi.string().custom((value: string, helpers) => parseByteSize(value) ?? helpers.error('any.invalid'));
}

function intervalSeconds(): Joi.NumberSchema {
  return Joi.number().integer().min(1).max(7 * 24 * 3600);
}

type VariableName = keyof typeof VARIABLES;
const VARIABLE_NAMES = Object.keys(VARIABLES) as VariableName[];

const environmentSchema = Joi.object(
  Object.fromEntries(VARIABLE_NAMES.map((name) => [name, VARIABLES[name].schema])),
).options({ abortEarly: false, convert: true });

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const raw = pickSetVariables(env);
  const { value, error } = environmentSchema.validate(raw);
  if (error) {
    throw new ConfigError(describeProblems(error, raw));
  }
  return {
    port: value.PORT,
    host: value.HOST,
    dataDir: path.resolve(value.DATA_DIR),
    eventStoreUrl: value.EVENTSTORE_URL ?? null,
    mongoUrl: value.MONGO_URL ?? null,
    mongoDatabase: value.MONGO_DB,
    kafkaBrokers: value.KAFKA_BROKERS ?? null,
    logLevel: value.LOG_LEVEL,
    bodyLimitBytes: value.BODY_LIMIT,
    readYourWritesTimeoutMs: value.READ_YOUR_WRITES_TIMEOUT_MS,
    sessionTtlHours: value.SESSION_TTL_HOURS,
    agentBodyLimitBytes: value.AGENT_BODY_LIMIT,
    hostDetailIntervalSeconds: value.HOST_DETAIL_INTERVAL_S,
    hostLabelIntervalSeconds: value.HOST_LABEL_INTERVAL_S,
    hostPolicyIntervalSeconds: value.HOST_POLICY_INTERVAL_S,
    campaignExpirySeconds: value.CAMPAIGN_EXPIRY_S,
    resultsRetentionDays: value.RESULTS_RETENTION_DAYS,
    shellSecretTtlMs: value.SHELL_SECRET_TTL_MS,
    shellIdleTimeoutMs: value.SHELL_IDLE_TIMEOUT_MS,
  };
}

/** A summary of the configuration that is safe to log: URLs lose their credentials. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    port: config.port,
    host: config.host,
    dataDir: config.dataDir,
    eventStoreUrl: config.eventStoreUrl === null ? null : redactUrlCredentials(config.eventStoreUrl),
    mongoUrl: config.mongoUrl === null ? null : redactUrlCredentials(config.mongoUrl),
    mongoDatabase: config.mongoDatabase,
    kafkaBrokers: config.kafkaBrokers,
    logLevel: config.logLevel,
    bodyLimitBytes: config.bodyLimitBytes,
    readYourWritesTimeoutMs: config.readYourWritesTimeoutMs,
    sessionTtlHours: config.sessionTtlHours,
    agentBodyLimitBytes: config.agentBodyLimitBytes,
    hostDetailIntervalSeconds: config.hostDetailIntervalSeconds,
    hostLabelIntervalSeconds: config.hostLabelIntervalSeconds,
    hostPolicyIntervalSeconds: config.hostPolicyIntervalSeconds,
    campaignExpirySeconds: config.campaignExpirySeconds,
    resultsRetentionDays: config.resultsRetentionDays,
    shellSecretTtlMs: config.shellSecretTtlMs,
    shellIdleTimeoutMs: config.shellIdleTimeoutMs,
  };
}

/**
 * Replaces the user-info part of a connection string, and the values of query parameters that
 * look like secrets (password, token, key...), with ***.
 */
export function redactUrlCredentials(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@')
    .replace(/([?&][^=&#]*(?:pass|secret|token|key|authmechanismproperties)[^=&#]*=)[^&#]*/gi, '$1***');
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

function connectionUrl(
  schemes: string[],
  options: { singleHostWithoutPort: string[] },
): Joi.StringSchema {
  return Joi.string().custom((value: string, helpers) =>
    isConnectionUrl(value, schemes, options.singleHostWithoutPort) ? value : helpers.error('any.invalid'),
  );
}

/**
 * Checks a driver connection string: scheme://[user:pass@]host[:port][,host[:port]...][/path][?query].
 * These are not plain URLs (several hosts are allowed), so WHATWG URL parsing does not fit.
 */
function isConnectionUrl(value: string, schemes: string[], singleHostWithoutPort: string[]): boolean {
  if (/\s/.test(value)) return false;
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(value);
  if (!match) return false;
  const scheme = match[1].toLowerCase();
  if (!schemes.includes(scheme)) return false;
  const authority = match[2];
  const hostList = authority.slice(authority.lastIndexOf('@') + 1);
  const hosts = hostList.split(',').map(parseHostPort);
  if (hosts.some((host) => host === null)) return false;
  if (singleHostWithoutPort.includes(scheme)) {
    return hosts.length === 1 && hosts[0]!.port === null;
  }
  return true;
}

function parseBrokerList(value: string): string[] | null {
  const brokers = value.split(',').map((broker) => broker.trim());
  const allValid = brokers.every((broker) => {
    const parsed = parseHostPort(broker);
    return parsed !== null && parsed.port !== null;
  });
  return allValid ? brokers : null;
}

/** Parses `host`, `host:port`, `[ipv6]` or `[ipv6]:port`; null when malformed. */
function parseHostPort(text: string): { host: string; port: number | null } | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(text);
  if (!match) return null;
  const host = match[1];
  if (!host.startsWith('[') && !isHostOrIp(host)) return null;
  if (match[2] === undefined) return { host, port: null };
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { host, port } : null;
}

const hostnameSchema = Joi.alternatives(Joi.string().ip({ cidr: 'forbidden' }), Joi.string().hostname());
const dockerNamePattern = /^[a-z0-9](?:[a-z0-9_.-]*[a-z0-9])?$/i;

function isHostOrIp(value: string): boolean {
  // Docker service names may contain underscores, which strict host name rules reject.
  return hostnameSchema.validate(value).error === undefined || dockerNamePattern.test(value);
}

/** Parses "1048576", "512kb", "1mb", "1.5 MB" into bytes; null when malformed or not positive. */
function parseByteSize(value: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(value);
  if (!match) return null;
  const bytes = Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]);
  return bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : null;
}
