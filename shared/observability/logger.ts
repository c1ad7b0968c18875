/**
 * Structured JSON logs (pino), one line per entry on stdout unless a destination is given.
 * Levels are written as names ("level":"info") and times as ISO-8601 so the lines read well in
 * `docker compose logs` and still parse in any log pipeline.
 */
import pino from 'pino';
import type { LogLevel } from '../config/config';

export type Logger = pino.Logger;

/** Fields that carry secrets anywhere Logbook logs them; pino replaces their values. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'password',
  'secret',
  'token',
  'node_key',
  'enroll_secret',
  '*.password',
  '*.secret',
  '*.token',
  '*.node_key',
  '*.enroll_secret',
];

/**
 * Creates the logger of one service. `name` appears on every line; `destination` lets tests
 * capture the output (defaults to stdout).
 */
export function createLogger(level: LogLevel, name: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    name,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
    },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/** A record of the results bus's own log (kafkajs's entries, the in-process journal's failures). */
export interface BusLogRecord {
  level: 'error' | 'warn' | 'info' | 'debug';
  namespace: string;
  message: string;
  fields: Record<string, unknown>;
}

/**
 * Logs the results bus's records at their own level, their fields under `bus` (never at the top,
 * where a `level` or `msg` field would stand beside pino's own: kafkajs's entries carry both).
 */
export function busLog(logger: Logger): (record: BusLogRecord) => void {
  return ({ level, namespace, message, fields }) => logger[level]({ bus: { namespace, ...fields } }, message);
}
