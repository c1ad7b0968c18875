/**
 * Hosts: the list (GET /hosts with the server's search, filters and paging, and /hosts/count for
 * the total) and a host's page: facts, labels, policies, recent campaigns, activity, and the
 * actions "query this host" and, for admins, "open a shell".
 */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorNote, isAdmin, Link, Page, useLoad, useMe, when } from '../common';
import { navigate, useLocation } from '../router';
import { ActivityList, type Activity } from './activity';
import { CampaignsTable } from './campaigns';

interface Host {
  id: number;
  hostname: string;
  display_name: string;
  status: string;
  platform: string;
  os_version: string;
  osquery_version: string;
  primary_ip: string;
  team_id: number | null;
  team_name: string | null;
  seen_time: string;
  labels: Array<{ id: number; name: string }>;
  policies?: Array<{ id: number; name: string; response: string }>;
  [fact: string]: unknown;
}

const PER_PAGE = 50;

export function HostList() {
  const place = useLocation();
  const [query, setQuery] = useState(place.query.get('query') ?? '');
  const [status, setStatus] = useState(place.query.get('status') ?? '');
  const [label, setLabel] = useState(place.query.get('label_id') ?? '');
  const [team, setTeam] = useState(place.query.get('team_id') ?? '');
  const [page, setPage] = useState(0);
  const filters = new URLSearchParams();
  if (query) filters.set('query', query);
  if (status) filters.set('status', status);
  if (label) filters.set('label_id', label);
  if (team) filters.set('team_id', team);
  const key = filters.toString();
  const hosts = useLoad(() => api<{ hosts: Host[] }>('GET', `/hosts?${key}&page=${page}&per_page=${PER_PAGE}&order_key=id`).then((a) => a.hosts), [key, page]);
  const count = useLoad(() => api<{ count: number }>('GET', `/hosts/count?${key}`).then((a) => a.count), [key]);
  const choices = useLoad(() => api<{ targets: { labels: Array<{ id: number; name: string }>; teams: Array<{ id: number; name: string }> } }>('POST', '/targets', { query: '' }).then((a) => a.targets), []);
  const total = count.data ?? 0;
  const change = (set: (v: string) => void) => (event: Event) => {
    set((event.target as HTMLInputElement).value);
    setPage(0);
  };
  return (
    <Page title="Hosts">
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search hosts <input type="search" value={query} onInput={change(setQuery)} placeholder="hostname, serial, IP" />
        </label>
        <label>
          Status{' '}
          <select value={status} onChange={change(setStatus)}>
            <option value="">any</option>
            <option value="online">online</option>
            <option value="offline">offline</option>
            <option value="mia">missing</option>
            <option value="new">new</option>
          </select>
        </label>
        <label>
          Label{' '}
          <select value={label} onChange={change(setLabel)}>
            <option value="">any</option>
            {(choices.data?.labels ?? []).map((l) => (
              <option value={l.id}>{l.name}</option>
            ))}
          </select>
        </label>
        <label>
          Team{' '}
          <select value={team} onChange={change(setTeam)}>
            <option value="">any</option>
            {(choices.data?.teams ?? []).map((t) => (
              <option value={t.id}>{t.name}</option>
            ))}
          </select>
        </label>
      </form>
      <ErrorNote error={hosts.error ?? count.error} />
      <p role="status" aria-label="Host count">
        {total} hosts{total > 0 ? `, showing ${page * PER_PAGE + 1}–${Math.min(total, (page + 1) * PER_PAGE)}` : ''}
      </p>
      <table aria-label="Hosts">
        <thead>
          <tr>
            <th>Host</th>
            <th>Status</th>
            <th>Platform</th>
            <th>Team</th>
            <th>Labels</th>
            <th>Last seen</th>
          </tr>
        </thead>
        <tbody>
          {(hosts.data ?? []).map((host) => (
            <tr>
              <td>
                <Link href={`/hosts/${host.id}`}>{host.display_name || host.hostname}</Link>
              </td>
              <td>
                <span class={`status status-${host.status}`}>{host.status}</span>
              </td>
              <td>
                {host.platform} {host.os_version}
              </td>
              <td>{host.team_name ?? '—'}</td>
              <td class="labels">{host.labels.map((l) => l.name).join(', ')}</td>
              <td>{when(host.seen_time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="toolbar">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
          Previous page
        </button>
        <button type="button" disabled={(page + 1) * PER_PAGE >= total} onClick={() => setPage(page + 1)}>
          Next page
        </button>
      </div>
    </Page>
  );
}

const FACTS: Array<[string, string]> = [
  ['hostname', 'Hostname'],
  ['uuid', 'UUID'],
  ['platform', 'Platform'],
  ['os_version', 'OS'],
  ['osquery_version', 'osquery'],
  ['primary_ip', 'IP address'],
  ['primary_mac', 'MAC address'],
  ['hardware_vendor', 'Vendor'],
  ['hardware_model', 'Model'],
  ['hardware_serial', 'Serial'],
  ['cpu_brand', 'CPU'],
  ['memory', 'Memory (bytes)'],
  ['team_name', 'Team'],
  ['seen_time', 'Last seen'],
  ['last_enrolled_at', 'Enrolled'],
];

export function HostPage({ id }: { id: number }) {
  const me = useMe();
  const host = useLoad(() => api<{ host: Host }>('GET', `/hosts/${id}`).then((a) => a.host), [id]);
  const campaigns = useLoad(() => api<{ campaigns: any[] }>('GET', `/campaigns?host_id=${id}&per_page=10`).then((a) => a.campaigns), [id]);
  const activity = useLoad(() => api<{ activities: Activity[] }>('GET', '/activities?per_page=200').then((a) => a.activities), [id]);
  const [shellError, setShellError] = useState<unknown>(null);
  const h = host.data;
  const name = h ? h.display_name || h.hostname : `Host ${id}`;
  const mentions = (a: Activity) => {
    const details = a.details ?? {};
    return details.host_id === id || details.hostname === h?.hostname || (Array.isArray(details.host_ids) && details.host_ids.includes(id));
  };
  async function openShell() {
    setShellError(null);
    try {
      const session = await api<{ session_id: string }>('POST', `/hosts/${id}/shells`);
      navigate(`/shells/${encodeURIComponent(session.session_id)}?host=${encodeURIComponent(name)}`);
    } catch (error) {
      setShellError(error);
    }
  }
  return (
    <Page
      title={name}
      actions={
        <div class="toolbar">
          <Link href={`/query?host=${id}`} class="button primary">
            Query this host
          </Link>
          {isAdmin(me) && (
            <button type="button" onClick={openShell}>
              Open a shell
            </button>
          )}
        </div>
      }
    >
      <ErrorNote error={host.error} />
      <ErrorNote error={shellError} />
      {h && (
        <>
          <p>
            <span class={`status status-${h.status}`}>{h.status}</span>
          </p>
          <dl class="facts" aria-label="Facts">
            {FACTS.map(([key, label]) => (
              <>
                <dt>{label}</dt>
                <dd>{key === 'seen_time' || key === 'last_enrolled_at' ? when(String(h[key] ?? '')) : String(h[key] ?? '—')}</dd>
              </>
            ))}
          </dl>
          <h2>Labels</h2>
          <ul class="chips" aria-label="Labels">
            {h.labels.map((l) => (
              <li>{l.name}</li>
            ))}
          </ul>
          <h2>Policies</h2>
          {(h.policies ?? []).length === 0 ? (
            <p class="hint">No policy applies to this host.</p>
          ) : (
            <table aria-label="Policies">
              <thead>
                <tr>
                  <th>Policy</th>
                  <th>Result</th>
                </tr>
              </thead>
              <tbody>
                {(h.policies ?? []).map((p) => (
                  <tr>
                    <td>{p.name}</td>
                    <td class={`policy-${p.response || 'none'}`}>{p.response === 'pass' ? 'pass' : p.response === 'fail' ? 'fail' : 'no answer yet'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      <h2>Recent campaigns</h2>
      <ErrorNote error={campaigns.error} />
      {campaigns.data && (campaigns.data.length === 0 ? <p class="hint">No campaign has targeted this host yet.</p> : <CampaignsTable campaigns={campaigns.data} label="Recent campaigns" />)}
      <h2>Activity</h2>
      {activity.data && <ActivityList activities={activity.data.filter(mentions)} empty="No activity names this host." />}
    </Page>
  );
}
