/**
 * Live query: pick targets (labels, teams, hosts by search) with the live counts POST /targets
 * answers, write SQL, run it (POST /queries/run) and go to the campaign's page, which streams.
 * Observers run only saved queries that allow them (the API refuses anything else; the form says so).
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { CodeEditor } from '../code-editor';
import { ErrorNote, Page, useLoad, useMe, writesFleet } from '../common';
import { navigate, useLocation } from '../router';

type Kind = 'hosts' | 'labels' | 'teams';
interface Target {
  kind: Kind;
  id: number;
  name: string;
  count?: number;
}
interface TargetsAnswer {
  targets: { hosts: Array<{ id: number; hostname: string; display_name?: string; status?: string }>; labels: Array<{ id: number; name: string; count: number }>; teams: Array<{ id: number; name: string; count: number }> };
  targets_count: number;
  targets_online: number;
  targets_offline: number;
  targets_missing_in_action: number;
}
interface SavedQuery {
  id: number;
  name: string;
  query: string;
  observer_can_run: boolean;
}

const selection = (chosen: Target[]) => ({
  hosts: chosen.filter((t) => t.kind === 'hosts').map((t) => t.id),
  labels: chosen.filter((t) => t.kind === 'labels').map((t) => t.id),
  teams: chosen.filter((t) => t.kind === 'teams').map((t) => t.id),
});

export function LiveQuery() {
  const me = useMe();
  const place = useLocation();
  const [chosen, setChosen] = useState<Target[]>([]);
  const [search, setSearch] = useState('');
  const [answer, setAnswer] = useState<TargetsAnswer | null>(null);
  const [targetsError, setTargetsError] = useState<unknown>(null);
  const [sql, setSql] = useState(place.query.get('sql') ?? 'SELECT * FROM osquery_info;');
  const [queryId, setQueryId] = useState<number | null>(null);
  const [runError, setRunError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  const saved = useLoad(() => api<{ queries: SavedQuery[] }>('GET', '/queries').then((a) => a.queries), []);

  // ?host=ID or ?label=ID (from a host's page or a label) preselects that target.
  useEffect(() => {
    const host = Number(place.query.get('host'));
    if (host > 0) {
      void api<{ host: { id: number; hostname: string; display_name?: string } }>('GET', `/hosts/${host}`).then(
        ({ host: h }) => setChosen([{ kind: 'hosts', id: h.id, name: h.display_name || h.hostname }]),
        setTargetsError,
      );
    }
  }, []);

  useEffect(() => {
    const timer = setTimeout(() => {
      api<TargetsAnswer>('POST', '/targets', { query: search, selected: selection(chosen) }).then(
        (a) => {
          setAnswer(a);
          setTargetsError(null);
        },
        setTargetsError,
      );
    }, 150);
    return () => clearTimeout(timer);
  }, [search, chosen]);

  const add = (target: Target) => setChosen((list) => (list.some((t) => t.kind === target.kind && t.id === target.id) ? list : [...list, target]));
  const remove = (target: Target) => setChosen((list) => list.filter((t) => !(t.kind === target.kind && t.id === target.id)));

  async function run() {
    setRunning(true);
    setRunError(null);
    try {
      const body = queryId ? { query_id: queryId, selected: selection(chosen) } : { query: sql, selected: selection(chosen) };
      const { campaign } = await api<{ campaign: { id: number } }>('POST', '/queries/run', body);
      navigate(`/campaigns/${campaign.id}`);
    } catch (error) {
      setRunError(error);
    } finally {
      setRunning(false);
    }
  }

  const mayWriteSql = writesFleet(me);
  const savedQueries = saved.data ?? [];
  const runnable = savedQueries.filter((q) => mayWriteSql || q.observer_can_run);
  return (
    <Page title="Live query">
      <div class="columns">
        <section class="card" aria-label="Targets">
          <h2>Targets</h2>
          <label>
            Search labels, teams and hosts <input type="search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
          </label>
          <ul class="chips" aria-label="Selected targets">
            {chosen.map((target) => (
              <li>
                <span>
                  {target.kind === 'hosts' ? 'host' : target.kind === 'labels' ? 'label' : 'team'}: {target.name}
                </span>
                <button type="button" aria-label={`Remove ${target.name}`} onClick={() => remove(target)}>
                  ×
                </button>
              </li>
            ))}
          </ul>
          {answer && (
            <p class="counts" role="status" aria-label="Target counts">
              {answer.targets_count} hosts targeted: {answer.targets_online} online, {answer.targets_offline} offline, {answer.targets_missing_in_action} missing
            </p>
          )}
          <ErrorNote error={targetsError} />
          {answer && (
            <div class="suggestions">
              <h3>Labels</h3>
              <ul>
                {answer.targets.labels.map((label) => (
                  <li>
                    <button type="button" onClick={() => add({ kind: 'labels', id: label.id, name: label.name })}>
                      Add label {label.name}
                    </button>{' '}
                    <span class="hint">{label.count} hosts</span>
                  </li>
                ))}
              </ul>
              {answer.targets.teams.length > 0 && <h3>Teams</h3>}
              <ul>
                {answer.targets.teams.map((team) => (
                  <li>
                    <button type="button" onClick={() => add({ kind: 'teams', id: team.id, name: team.name })}>
                      Add team {team.name}
                    </button>{' '}
                    <span class="hint">{team.count} hosts</span>
                  </li>
                ))}
              </ul>
              <h3>Hosts</h3>
              <ul>
                {answer.targets.hosts.map((host) => (
                  <li>
                    <button type="button" onClick={() => add({ kind: 'hosts', id: host.id, name: host.display_name || host.hostname })}>
                      Add host {host.display_name || host.hostname}
                    </button>{' '}
                    <span class="hint">{host.status}</span>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </section>
        <section class="card grow" aria-label="Query">
          <h2>Query</h2>
          <label>
            Saved query{' '}
            <select
              value={queryId ?? ''}
              onChange={(e) => {
                const id = Number((e.target as HTMLSelectElement).value);
                const picked = savedQueries.find((q) => q.id === id);
                setQueryId(picked ? picked.id : null);
                if (picked) setSql(picked.query);
              }}
            >
              <option value="">{mayWriteSql ? '(none: ad-hoc SQL)' : '(pick one you may run)'}</option>
              {runnable.map((q) => (
                <option value={q.id}>{q.name}</option>
              ))}
            </select>
          </label>
          <CodeEditor
            language="sql"
            label="SQL"
            value={sql}
            readOnly={!mayWriteSql}
            onChange={(text) => {
              setSql(text);
              const picked = savedQueries.find((q) => q.id === queryId);
              if (picked && picked.query !== text) setQueryId(null);
            }}
          />
          {!mayWriteSql && <p class="hint">As an observer you may run only the saved queries marked for observers.</p>}
          <div class="toolbar">
            <button type="button" class="primary" disabled={running || chosen.length === 0 || (!mayWriteSql && !queryId)} onClick={run}>
              Run query
            </button>
            {chosen.length === 0 && <span class="hint">Pick at least one target.</span>}
          </div>
          <ErrorNote error={runError} />
        </section>
      </div>
    </Page>
  );
}
