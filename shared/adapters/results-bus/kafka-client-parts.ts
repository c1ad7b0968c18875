/** How the Kafka bus sets up kafkajs: sockets without Nagle's algorithm, and kafkajs's log entries as records for the caller's logger. */
import net from 'node:net';
import tls from 'node:tls';
import { logLevel, type ISocketFactory, type LogEntry } from 'kafkajs';
import type { BusLogRecord } from '../../observability/logger';

/** kafkajs's log entries as the bus's log records (the logger maps them: shared/observability/logger.ts busLog). */
export type KafkaLogRecord = BusLogRecord;

/**
 * kafkajs's own socket factory with Nagle's algorithm turned off: kafkajs leaves it on, so a small
 * request written while an earlier one is unacknowledged (a produce behind a fetch on the same
 * connection) can wait for the broker's delayed ACK, tens of milliseconds on Linux.
 */
export const noDelaySocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
    : net.connect({ host, port }, onConnect);
  socket.setKeepAlive(true, 60_000);
  socket.setNoDelay(true);
  return socket;
};

const LEVEL_NAMES: Record<number, KafkaLogRecord['level']> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs's least severe level to pass on, for the logger's level (kafkajs's INFO is chatty: from debug only). */
export function kafkaLogLevelFor(level: string): logLevel {
  if (level === 'silent') return logLevel.NOTHING;
  if (level === 'fatal' || level === 'error') return logLevel.ERROR;
  return level === 'debug' || level === 'trace' ? logLevel.DEBUG : logLevel.WARN;
}

export function forwardLog(sink: ((record: KafkaLogRecord) => void) | undefined, entry: LogEntry): void {
  if (!sink) return;
  const { message, ...fields } = entry.log;
  try {
    sink({ level: LEVEL_NAMES[entry.level] ?? 'debug', namespace: entry.namespace, message, fields });
  } catch {
    // a failing log sink must not break Kafka I/O
  }
}
