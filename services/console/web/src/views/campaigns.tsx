/**
 * Campaigns: the list (GET /campaigns, newest first) and one campaign's page, which streams its
 * results over Socket.IO. A campaign's page shows every stored result whenever it is opened
 * (the gateway replays them), so closing the tab mid-campaign loses nothing; a dropped socket
 * reconnects and resumes (campaign-stream.ts).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import { CampaignStream, rowsAsCsv, type StreamState } from '../campaign-stream';
import { download, duration, ErrorNote, Link, Page, useInterval, useLoad, when } from '../common';
import { ResultsTable } from '../results-table';

interface CampaignSummary {
  id: number;
  query: string;
  query_id: number | null;
  status: number;
  state: string;
  user_id: number;
  created_at: string;
  updated_at: string;
  ended_at?: string;
  targeted_hosts: number;
  results_deleted_at?: string;
}

export function CampaignsTable(props: { campaigns: CampaignSummary[]; label: string }) {
  return (
    <table aria-label={props.label}>
      <thead>
        <tr>
          <th>Campaign</th>
          <th>Query</th>
          <th>State</th>
          <th>Hosts</th>
          <th>Started</th>
        </tr>
      </thead>
      <tbody>
        {props.campaigns.map((c) => (
          <tr>
            <td>
              <Link href={`/campaigns/${c.id}`}>Campaign {c.id}</Link>
            </td>
            <td>
              <code class="sql-snippet">{c.query.length > 120 ? `${c.query.slice(0, 120)}…` : c.query}</code>
            </td>
            <td>{c.state}</td>
            <td>{c.targeted_hosts}</td>
            <td>{when(c.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CampaignList() {
  const [page, setPage] = useState(0);
  const list = useLoad(() => api<{ campaigns: CampaignSummary[]; meta: { has_next_results: boolean } }>('GET', `/campaigns?page=${page}&per_page=50`), [page]);
  useInterval(() => list.reload(), 5_000);
  return (
    <Page title="Campaigns" actions={<Link href="/query" class="button">New live query</Link>}>
      <ErrorNote error={list.error} />
      {list.data && (list.data.campaigns.length === 0 ? <p>No campaign yet: run a live query.</p> : <CampaignsTable campaigns={list.data.campaigns} label="Past campaigns" />)}
      <div class="toolbar">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
          Previous page
        </button>
        <button type="button" disabled={!list.data?.meta.has_next_results} onClick={() => setPage(page + 1)}>
          Next page
        </button>
      </div>
    </Page>
  );
}

function useStream(id: number): StreamState {
  const stream = useMemo(() => new CampaignStream(id), [id]);
  const [, setVersion] = useState(0);
  useEffect(() => {
    const off = stream.subscribe(() => setVersion(stream.state.version));
    return () => {
      off();
      stream.close();
    };
  }, [stream]);
  return stream.state;
}

export function CampaignView({ id }: { id: number }) {
  const meta = useLoad(() => api<{ campaign: CampaignSummary & { expected_results: number } }>('GET', `/campaigns/${id}`).then((a) => a.campaign), [id]);
  const state = useStream(id);
  const [stopError, setStopError] = useState<unknown>(null);
  const [now, setNow] = useState(Date.now());
  useInterval(() => setNow(Date.now()), 1_000);
  const campaign = meta.data;
  const finished = state.finished || (campaign?.status === 2 && state.connection === 'live' && state.answered >= (state.totals?.online ?? 0));
  useEffect(() => {
    if (finished) meta.reload();
  }, [finished]);

  const started = campaign ? Date.parse(campaign.created_at) : NaN;
  const ended = campaign?.ended_at ? Date.parse(campaign.ended_at) : finished ? Date.parse(campaign?.updated_at ?? '') : now;
  async function stop() {
    setStopError(null);
    try {
      await api('POST', `/campaigns/${id}/stop`, {});
      meta.reload();
    } catch (error) {
      setStopError(error);
    }
  }
  const exportName = `campaign-${id}-results`;
  return (
    <Page
      title={`Campaign ${id}`}
      actions={
        <div class="toolbar">
          {!finished && campaign && (
            <button type="button" onClick={stop}>
              Stop
            </button>
          )}
          <button type="button" disabled={state.rows.length === 0} onClick={() => download(`${exportName}.csv`, 'text/csv', rowsAsCsv(state.columns, state.rows))}>
            Export CSV
          </button>
          <button type="button" disabled={state.rows.length === 0 && state.errors.length === 0} onClick={() => download(`${exportName}.json`, 'application/json', JSON.stringify({ rows: state.rows, errors: state.errors }, null, 2))}>
            Export JSON
          </button>
          <Link href={`/query?sql=${encodeURIComponent(campaign?.query ?? '')}`} class="button">
            Run again
          </Link>
        </div>
      }
    >
      <ErrorNote error={meta.error} />
      <ErrorNote error={stopError} />
      {campaign && (
        <pre class="sql" aria-label="Campaign SQL">
          {campaign.query}
        </pre>
      )}
      <div class="progress" role="status" aria-label="Campaign progress">
        <span>
          {state.answered} answered of {state.totals?.online ?? '…'} online of {state.totals?.count ?? '…'} targeted
        </span>
        <span>elapsed {Number.isNaN(started) ? '—' : duration(ended - started)}</span>
        <span class={`state state-${finished ? 'finished' : 'running'}`}>{finished ? 'finished' : campaign?.state ?? 'running'}</span>
        {state.connection !== 'live' && state.connection !== 'closed' && <span class="warn">{state.connection === 'connecting' ? 'connecting…' : 'connection lost: reconnecting, stored results will replay'}</span>}
      </div>
      {state.lastError && (
        <p class="error" role="alert">
          {state.lastError}
        </p>
      )}
      <h2>
        Results: {state.rows.length} rows from {state.answered - state.errors.length} hosts
      </h2>
      <ResultsTable label="Results" columns={state.columns} rows={state.rows} version={state.version} />
      {state.errors.length > 0 && (
        <>
          <h2>Errors: {state.errors.length} hosts</h2>
          <ResultsTable label="Host errors" columns={['host', 'error']} rows={state.errors} version={state.version} height={200} />
        </>
      )}
    </Page>
  );
}
