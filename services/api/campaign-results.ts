/** A campaign's recorded results as the operator API serves them: JSON pages and CSV, or 410 once deleted. */
import { rowsOf, type RecordedResult } from '../../shared/campaigns/campaign-results-store';
import { DomainError } from '../../shared/domain/errors';
import type { CampaignDoc } from '../../shared/read-models/read-model-types';

/** The 410 for a campaign whose results the retention deleted. */
export function resultsDeleted(doc: CampaignDoc): DomainError {
  const reason = `the results of campaign ${doc.id} were deleted at ${doc.results_deleted_at}, after the retention period (RESULTS_RETENTION_DAYS)`;
  return new DomainError('gone', reason);
}

/** One page (numbered from 0) of a campaign's results, in recording order, as GET /campaigns/:id/results answers it. */
export function resultsPage(campaignId: number, all: RecordedResult[], page: number, perPage: number) {
  const pageOf = all.slice(page * perPage, (page + 1) * perPage);
  return {
    campaign_id: campaignId,
    results: pageOf.map((result) => ({ seq: result.seq, host: result.host, rows: rowsOf(result), error: result.error, answered_at: result.answered_at })),
    meta: { total: all.length, has_next_results: (page + 1) * perPage < all.length, has_previous_results: page > 0 },
  };
}

/**
 * One CSV row per result row (a host with no rows or an error gets one row), RFC 4180 quoting.
 * The host columns are prefixed `host_` so that they never collide with the query's own columns.
 */
export function resultsAsCsv(results: RecordedResult[]): string {
  const columns = new Set<string>();
  const rowsByResult = results.map(rowsOf);
  for (const rows of rowsByResult) for (const row of rows) for (const column of Object.keys(row)) columns.add(column);
  const header = ['host_id', 'host_hostname', 'host_display_name', 'host_error', ...columns];
  const lines = [header];
  results.forEach((result, i) => {
    const rows = rowsByResult[i];
    const host = [String(result.host.id), result.host.hostname, result.host.display_name, result.error ?? ''];
    if (rows.length === 0) lines.push([...host, ...[...columns].map(() => '')]);
    for (const row of rows) lines.push([...host, ...[...columns].map((column) => row[column] ?? '')]);
  });
  return lines.map((line) => line.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string): string {
  // A leading =, +, - or @ would be taken for a formula by spreadsheets: quote it and prefix '.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
