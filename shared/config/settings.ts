/**
 * Every environment variable Logbook reads, for every service, with its parser (parsers.ts), its
 * default and what a valid value looks like. config.ts validates them all together and maps them
 * to Config. The order here is the order problems are reported in.
 */
import { randomUUID } from 'node:crypto';
import Joi from 'joi';
import { brokerList, byteSize, connectionUrl, hostList, hostOrIp, ipList, MAX_TIMER_MS, numberIn, originList, portOrOff } from './parsers';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The SASL mechanisms Logbook offers Kafka brokers (kafkajs's names). */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export interface VariableRule {
  /** Converts the trimmed, non-empty raw value; its default applies when the variable is unset. */
  schema: Joi.Schema;
  /** What a valid value looks like, for the error message. */
  expected: string;
  /** The value is a URL that may carry credentials: never echo them back. */
  isUrl?: boolean;
  /** The value is a secret (a password, a token): never echo it back. */
  isSecret?: boolean;
}

const TEN_YEARS_IN_HOURS = 24 * 365 * 10;
const ONE_WEEK_IN_SECONDS = 7 * 24 * 3600;
const SIZE_EXPECTED = 'a positive size in bytes or with a unit b, kb, mb or gb';

function milliseconds(min: number, max: number, defaultMs: number): VariableRule {
  return {
    schema: numberIn({ min, max }).default(defaultMs),
    expected: `an integer number of milliseconds from ${min} to ${max}`,
  };
}

function intervalSeconds(defaultSeconds: number, purpose: string): VariableRule {
  return {
    schema: numberIn({ min: 1, max: ONE_WEEK_IN_SECONDS }).default(defaultSeconds),
    expected: `a whole number of seconds from 1 to ${ONE_WEEK_IN_SECONDS}: ${purpose}`,
  };
}

export const LOG_PLUGINS = ['filesystem', 'kafka', 'stdout'] as const;
export type LogPlugin = (typeof LOG_PLUGINS)[number];

function logPlugin(what: string): VariableRule {
  return {
    // No default here: config.ts picks filesystem, or kafka when KAFKA_BROKERS is set.
    schema: Joi.string().lowercase().valid(...LOG_PLUGINS),
    expected: `one of ${LOG_PLUGINS.join(', ')}: where ${what} go`,
  };
}

export const VARIABLES = {
  PORT: {
    schema: numberIn({ min: 0, max: 65535 }).default(8080),
    expected: 'an integer port from 0 to 65535 (0 picks any free port)',
  },
  HOST: {
    schema: hostOrIp().default('0.0.0.0'),
    expected: 'a host name or IP address to listen on, such as 0.0.0.0, 127.0.0.1 or ::',
  },
  // TLS (the all-in-one process; shared/tls/server-identity.ts). HTTPS serves the same app as PORT.
  PLAIN_HTTP: {
    schema: Joi.boolean().default(true),
    expected: 'true or false: whether PORT serves plain HTTP (false for production: hosts and operators use TLS_PORT)',
  },
  TLS_PORT: {
    schema: portOrOff().default(8443),
    expected: 'an integer port from 0 to 65535 for HTTPS (0 picks any free port), or off for no TLS listener',
  },
  TLS_CERT: {
    schema: Joi.string(),
    expected: 'the path of a PEM file with the server certificate (then any intermediates); set with TLS_KEY',
  },
  TLS_KEY: {
    schema: Joi.string(),
    expected: "the path of a PEM file with TLS_CERT's private key; set with TLS_CERT",
  },
  TLS_HOSTNAMES: {
    schema: hostList().default([]),
    expected: 'a comma-separated list of host names or IP addresses the generated server certificate covers besides localhost, 127.0.0.1, ::1 and the machine hostname',
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
    schema: brokerList(),
    expected: 'a comma-separated list of host:port, such as kafka:9092 or k1:9092,k2:9092',
  },
  // How Logbook reaches Kafka: TLS and SASL (shared/adapters/results-bus/kafka-security.ts).
  // Each needs KAFKA_BROKERS; without any of them the connection is plaintext and anonymous.
  KAFKA_SSL: {
    // No default: an explicit false next to KAFKA_SSL_CA or KAFKA_SSL_CERT is a contradiction.
    schema: Joi.boolean(),
    expected: 'true or false: whether Logbook connects to the Kafka brokers over TLS (KAFKA_SSL_CA or KAFKA_SSL_CERT imply true)',
  },
  KAFKA_SSL_CA: {
    schema: Joi.string(),
    expected: "the path of a PEM file with the CA certificates the Kafka brokers' certificates are verified by (unset: the system's CAs)",
  },
  KAFKA_SSL_CERT: {
    schema: Joi.string(),
    expected: "the path of a PEM file with Logbook's client certificate for Kafka (mutual TLS); set with KAFKA_SSL_KEY",
  },
  KAFKA_SSL_KEY: {
    schema: Joi.string(),
    expected: "the path of a PEM file with KAFKA_SSL_CERT's private key; set with KAFKA_SSL_CERT",
  },
  KAFKA_SASL_MECHANISM: {
    schema: Joi.string().lowercase().valid(...KAFKA_SASL_MECHANISMS),
    expected: `one of ${KAFKA_SASL_MECHANISMS.join(', ')}; set with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`,
  },
  KAFKA_SASL_USERNAME: {
    schema: Joi.string().max(1024),
    expected: 'the SASL user name Logbook authenticates to Kafka with (at most 1024 characters)',
  },
  KAFKA_SASL_PASSWORD: {
    schema: Joi.string().max(1024),
    expected: "KAFKA_SASL_USERNAME's password (at most 1024 characters)",
    isSecret: true,
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
  READ_YOUR_WRITES_TIMEOUT_MS: milliseconds(0, MAX_TIMER_MS, 5000),
  SESSION_TTL_HOURS: {
    schema: numberIn({ min: 0, minExclusive: true, max: TEN_YEARS_IN_HOURS, fractions: true }).default(24),
    expected: `a number of hours greater than 0 and at most ${TEN_YEARS_IN_HOURS} (fractions allowed)`,
  },
  // Login throttling (shared/auth/login-throttle.ts).
  LOGIN_MAX_FAILURES_PER_ACCOUNT: {
    schema: numberIn({ min: 1, max: 1000 }).default(5),
    expected: 'an integer from 1 to 1000: failed logins on one account within the window before it is locked',
  },
  LOGIN_MAX_FAILURES_PER_ADDRESS: {
    schema: numberIn({ min: 1, max: 100_000 }).default(20),
    expected: 'an integer from 1 to 100000: failed logins from one client address within the window before it is locked',
  },
  LOGIN_FAILURE_WINDOW_S: intervalSeconds(300, 'how long a failed login counts against its account and address'),
  LOGIN_LOCKOUT_S: intervalSeconds(300, 'how long a locked account or address is refused logins'),
  TRUSTED_PROXIES: {
    schema: ipList().default([]),
    expected: 'a comma-separated list of IP addresses or CIDR subnets of reverse proxies whose X-Forwarded-For is believed, such as 10.0.0.5 or 172.16.0.0/12,::1',
  },
  AGENT_BODY_LIMIT: {
    schema: byteSize().default(16 * 1_048_576),
    expected: `${SIZE_EXPECTED}, for bodies osquery hosts send (such as 16mb)`,
  },
  HOST_DETAIL_INTERVAL_S: intervalSeconds(3600, 'how often hosts refresh their facts'),
  HOST_LABEL_INTERVAL_S: intervalSeconds(3600, 'how often hosts re-run label queries'),
  HOST_POLICY_INTERVAL_S: intervalSeconds(3600, 'how often hosts re-run policy queries'),
  CAMPAIGN_EXPIRY_S: intervalSeconds(900, 'how long a live query campaign waits for hosts to answer'),
  AGENT_SNAPSHOT_INTERVAL_S: {
    schema: numberIn({ min: 0, max: 86_400 }).default(60),
    expected: 'a whole number of seconds from 0 to 86400 between snapshots of the agent view (written only when the log moved; 0: none, every start replays the whole log)',
  },
  RESULTS_RETENTION_DAYS: {
    schema: numberIn({ min: 0, max: 3650, fractions: true }).default(0),
    expected: 'a number of days from 0 to 3650 (fractions allowed; 0 keeps live query results forever)',
  },
  // The results gateway's settings.
  RESULT_MAX_BYTES: {
    schema: byteSize().default(1_048_576),
    expected: `${SIZE_EXPECTED}, for one host's answer to a live query (such as 512kb)`,
  },
  CAMPAIGN_WAIT_MS: milliseconds(0, 60_000, 5_000),
  WATCHER_BUFFER_BYTES: {
    schema: byteSize().default(4 * 1_048_576),
    expected: `${SIZE_EXPECTED}, for what a watcher may have unsent (such as 4mb)`,
  },
  WATCHER_STALL_MS: milliseconds(1, 3_600_000, 10_000),
  SOCKJS_BODY_LIMIT: {
    schema: byteSize().default(64 * 1024),
    expected: `${SIZE_EXPECTED}, for one SockJS polling request's body (such as 64kb)`,
  },
  CAMPAIGN_POLL_MS: milliseconds(10, 3_600_000, 1_000),
  RESULTS_TOPIC_PARTITIONS: {
    schema: numberIn({ min: 1, max: 1000 }).default(8),
    expected: 'an integer from 1 to 1000',
  },
  GATEWAY_PEERS_POLL_MS: milliseconds(100, 600_000, 5_000),
  GATEWAY_INSTANCE_ID: {
    // A fresh id per start when unset: each instance is its own consumer group and relay origin.
    schema: Joi.string().pattern(/^[A-Za-z0-9._-]{1,100}$/).default(() => `gateway-${randomUUID()}`),
    expected: '1 to 100 letters, digits, dots, dashes or underscores',
  },
  // Every socket's settings (results watchers and shells).
  SOCKET_AUTH_TIMEOUT_MS: milliseconds(1, 600_000, 10_000),
  MAX_UNAUTHENTICATED_SOCKETS: {
    schema: numberIn({ min: 1, max: 1_000_000 }).default(1000),
    expected: 'an integer from 1 to 1000000',
  },
  ALLOWED_ORIGINS: {
    // Unset: only the server's own origin (the browser console) may open sockets from a browser.
    schema: originList().default([]),
    expected: 'a comma-separated list of origins such as https://console.example.com (http or https, no path)',
  },
  // Operations (README "Operations"): start-up retries, dependency waits, metrics, access log.
  STARTUP_RETRY_S: {
    schema: numberIn({ min: 0, max: 86_400 }).default(60),
    expected: 'a whole number of seconds from 0 to 86400: how long start-up keeps retrying an unreachable EventStoreDB, MongoDB or Kafka (0: no retry)',
  },
  RESULTS_BUS_TIMEOUT_MS: milliseconds(100, 600_000, 10_000),
  METRICS_TOKEN: {
    schema: Joi.string().min(16).max(1000),
    expected: 'at least 16 characters: /metrics then needs "Authorization: Bearer <token>"',
    isSecret: true,
  },
  ACCESS_LOG: {
    schema: Joi.boolean().default(false),
    expected: 'true or false: whether every HTTP request gets one log line (method, path without query, status, duration)',
  },
  // Where osquery's scheduled query results and status logs go (services/agent-api/host-logs/).
  OSQUERY_RESULT_LOG_PLUGIN: logPlugin('scheduled query results'),
  OSQUERY_STATUS_LOG_PLUGIN: logPlugin('osquery status logs'),
  OSQUERY_RESULT_LOG_FILE: {
    schema: Joi.string(),
    expected: 'a file path for scheduled query results (default DATA_DIR/osquery_result.log)',
  },
  OSQUERY_STATUS_LOG_FILE: {
    schema: Joi.string(),
    expected: 'a file path for osquery status logs (default DATA_DIR/osquery_status.log)',
  },
  OSQUERY_LOG_FILE_MAX_BYTES: {
    schema: byteSize().default(100 * 1_048_576),
    expected: `${SIZE_EXPECTED}: a log file reaching this size is rotated (such as 100mb)`,
  },
  OSQUERY_LOG_FILE_MAX_BACKUPS: {
    schema: numberIn({ min: 0, max: 1000 }).default(5),
    expected: 'an integer from 0 to 1000: rotated log files kept (file.1 newest); older ones are deleted',
  },
  // The shell broker's settings.
  SHELL_SECRET_TTL_MS: milliseconds(1, MAX_TIMER_MS, 60_000),
  SHELL_IDLE_TIMEOUT_MS: milliseconds(1, MAX_TIMER_MS, 900_000),
} satisfies Record<string, VariableRule>;

export type VariableName = keyof typeof VARIABLES;
export const VARIABLE_NAMES = Object.keys(VARIABLES) as VariableName[];
