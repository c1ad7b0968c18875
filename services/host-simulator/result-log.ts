/**
 * Log lines in osqueryd's formats, as its TLS logger sends them in `data`.
 *
 * Result lines (log_result_events, the default): one event per added or removed row, fields in
 * osquery's order: name, hostIdentifier, calendarTime, unixTime, epoch, counter, numerics,
 * decorations (only when there are some), columns, action. Snapshot queries send one line with
 * `snapshot` (all rows) and action "snapshot". With log_result_events off, a differential query
 * sends one line with `diffResults: {removed, added}`.
 *
 * Status lines are written through a property tree by osqueryd, so every value is a string.
 */
import type { Row } from './sql-engine';
import { OSQUERY_VERSION } from './simulated-tables';

export type LogLine = Record<string, unknown>;

export interface ResultContext {
  name: string;
  hostIdentifier: string;
  unixTime: number;
  epoch: number;
  counter: number;
  decorations: Record<string, string>;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** osquery's calendarTime: asctime() of the UTC time plus " UTC", e.g. "Tue Nov  4 09:05:01 2025 UTC". */
export function calendarTime(unixTime: number): string {
  const date = new Date(unixTime * 1000);
  const two = (value: number) => String(value).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, ' ')} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ${date.getUTCFullYear()} UTC`
  );
}

function header(context: ResultContext): LogLine {
  const line: LogLine = {
    name: context.name,
    hostIdentifier: context.hostIdentifier,
    calendarTime: calendarTime(context.unixTime),
    unixTime: context.unixTime,
    epoch: context.epoch,
    counter: context.counter,
    numerics: false,
  };
  if (Object.keys(context.decorations).length > 0) line.decorations = context.decorations;
  return line;
}

export function differentialEvents(context: ResultContext, added: Row[], removed: Row[]): LogLine[] {
  const lines: LogLine[] = [];
  for (const row of removed) lines.push({ ...header(context), columns: row, action: 'removed' });
  for (const row of added) lines.push({ ...header(context), columns: row, action: 'added' });
  return lines;
}

export function differentialBatch(context: ResultContext, added: Row[], removed: Row[]): LogLine {
  return { diffResults: { removed, added }, ...header(context) };
}

export function snapshotLine(context: ResultContext, rows: Row[]): LogLine {
  return { snapshot: rows, action: 'snapshot', ...header(context) };
}

export const SEVERITY = { info: 0, warning: 1, error: 2 } as const;

export function statusLine(
  hostIdentifier: string,
  unixTime: number,
  severity: number,
  filename: string,
  line: number,
  message: string,
  decorations: Record<string, string>,
): LogLine {
  const status: LogLine = {
    hostIdentifier,
    calendarTime: calendarTime(unixTime),
    unixTime: String(unixTime),
    severity: String(severity),
    filename,
    line: String(line),
    message,
    version: OSQUERY_VERSION,
  };
  if (Object.keys(decorations).length > 0) status.decorations = decorations;
  return status;
}
