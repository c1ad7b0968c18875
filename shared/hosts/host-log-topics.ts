/**
 * Topics of the results bus that carry osquery's own logs, one message per log line, keyed by
 * host id (so one host's lines stay in order). Value: JSON `{host_id, hostname, line}` where
 * `line` is the log line as osquery sent it.
 */
export const OSQUERY_RESULT_LOG_TOPIC = 'osquery-result-logs';
export const OSQUERY_STATUS_LOG_TOPIC = 'osquery-status-logs';

export interface HostLogMessage {
  host_id: number;
  hostname: string;
  line: unknown;
}
