/**
 * The configuration as it is safe to log (describeConfig), beside its loader in config.ts.
 */
import type { Config, GatewayConfig, HostLogsConfig, KafkaSecurityConfig, LoginThrottleConfig, OperationsConfig, SocketBounds, TlsConfig } from './config';
import { redactUrlCredentials } from './parsers';

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
  const { sasl } = config.kafkaSecurity;
  const kafkaSecurity: Record<keyof KafkaSecurityConfig, unknown> = {
    tls: config.kafkaSecurity.tls,
    sasl: sasl === null ? null : { mechanism: sasl.mechanism, username: sasl.username, password: '***' },
  };
  const operations: Record<keyof OperationsConfig, unknown> = {
    startupRetrySeconds: config.operations.startupRetrySeconds,
    resultsBusTimeoutMs: config.operations.resultsBusTimeoutMs,
    metricsToken: config.operations.metricsToken === null ? null : '***',
    accessLog: config.operations.accessLog,
  };
  const hostLogs: Record<keyof HostLogsConfig, unknown> = {
    result: { ...config.hostLogs.result },
    status: { ...config.hostLogs.status },
    fileMaxBytes: config.hostLogs.fileMaxBytes,
    fileMaxBackups: config.hostLogs.fileMaxBackups,
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
    kafkaSecurity,
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
    operations,
    hostLogs,
  };
  return summary;
}
