/**
 * The osqueryd flagfile that enrolls a host with this server over osquery's TLS remote API.
 * Flag names are osquery's (osquery.readthedocs.io, "Command Line Flags" and "Remote Settings"):
 * the tls config, logger and distributed plugins against the agent API's endpoints, the host
 * identified by its hardware UUID (what Logbook matches re-enrollments by).
 */

export interface FlagfileOptions {
  /** host[:port] osqueryd connects to; it must be a name the server certificate covers. */
  tlsHostname: string;
  /** Where the host keeps the server's CA chain (GET /api/v1/fleet/config/certificate). */
  serverCertsPath: string;
  /** Where the host keeps the enroll secret, alone in its file. */
  enrollSecretPath: string;
  configRefreshSeconds: number;
  loggerTlsPeriodSeconds: number;
  distributedIntervalSeconds: number;
}

export const FLAGFILE_DEFAULTS = {
  serverCertsPath: '/etc/osquery/logbook.pem',
  enrollSecretPath: '/etc/osquery/enroll_secret',
  configRefreshSeconds: 60,
  loggerTlsPeriodSeconds: 10,
  distributedIntervalSeconds: 10,
} as const;

/** The flag lines, one per line, ending with a newline; every value comes from `options` or is fixed by the agent API's routes. */
export function osqueryFlagfile(options: FlagfileOptions): string {
  const flags: Array<[string, string | number | boolean]> = [
    ['tls_hostname', options.tlsHostname],
    ['tls_server_certs', options.serverCertsPath],
    ['enroll_secret_path', options.enrollSecretPath],
    ['host_identifier', 'uuid'],
    ['enroll_tls_endpoint', '/api/v1/osquery/enroll'],
    ['config_plugin', 'tls'],
    ['config_tls_endpoint', '/api/v1/osquery/config'],
    ['config_refresh', options.configRefreshSeconds],
    ['logger_plugin', 'tls'],
    ['logger_tls_endpoint', '/api/v1/osquery/log'],
    ['logger_tls_period', options.loggerTlsPeriodSeconds],
    ['disable_distributed', false],
    ['distributed_plugin', 'tls'],
    ['distributed_interval', options.distributedIntervalSeconds],
    ['distributed_tls_max_attempts', 3],
    ['distributed_tls_read_endpoint', '/api/v1/osquery/distributed/read'],
    ['distributed_tls_write_endpoint', '/api/v1/osquery/distributed/write'],
  ];
  return flags.map(([name, value]) => `--${name}=${value}\n`).join('');
}

/**
 * The host[:port] osqueryd should dial, from the request that asks for the flagfile: its Host as
 * is when it came over TLS (directly or through a proxy saying X-Forwarded-Proto: https); for a
 * plain HTTP request, the same host name on the TLS port. Null without a Host header.
 */
export function tlsHostnameFor(host: string | undefined, overTls: boolean, tlsPort: number | null): string | null {
  if (!host) return null;
  if (overTls || tlsPort === null) return host;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return tlsPort === 443 ? name : `${name}:${tlsPort}`;
}
