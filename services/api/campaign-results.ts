/** A campaign's recorded results as the operator API serves them: JSON pages and CSV. */
import type { RecordedResult } from '../../shared/campaigns/campaign-results-store';

/**
 * One CSV row per result row (a host with no rows or an error gets one row), RFC 4180 quoting.
 * The host columns are prefixed `host_` so that they never collide with the query's own columns.
 */
export function resultsAsCsv(results: RecordedResult[]): string {
  const columns = new Set<string>();
  for (const result of results) for (const row of result.rows) for (const column of Object.keys(row)) columns.add(column);
  const header = ['host_id', 'host_hostname', 'host_display_name', 'host_error', ...columns];
  const lines = [header];
  for (const result of results) {
    const host = [String(result.host.id), result.host.hostname, result.host.display_name, result.error ?? ''];
    if (result.rows.length === 0) lines.push([...host, ...[...columns].map(() => '')]);
    for (const row of result.rows) lines.push([...host, ...[...columns].map((column) => row[column] ?? '')]);
  }
  return lines.map((line) => line.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string): string {
  // A leading =, +, - or @ would be taken for a formula by spreadsheets: quote it and prefix '.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
