/** The overview: host counts by status and platform (GET /host_summary), refreshed every few seconds. */
import { api } from '../api';
import { ErrorNote, Link, Page, useInterval, useLoad } from '../common';

interface Summary {
  totals_hosts_count: number;
  online_count: number;
  offline_count: number;
  mia_count: number;
  new_count: number;
  platforms: Array<{ platform: string; hosts_count: number }>;
}

export function HomeView() {
  const summary = useLoad(() => api<Summary>('GET', '/host_summary'), []);
  useInterval(() => summary.reload(), 5_000);
  const s = summary.data;
  return (
    <Page title="Overview">
      <ErrorNote error={summary.error} />
      {s && (
        <div class="tiles" aria-label="Hosts by status">
          <Link href="/hosts" class="tile">
            <strong>{s.totals_hosts_count}</strong> hosts
          </Link>
          <Link href="/hosts?status=online" class="tile">
            <strong>{s.online_count}</strong> online
          </Link>
          <Link href="/hosts?status=offline" class="tile">
            <strong>{s.offline_count}</strong> offline
          </Link>
          <Link href="/hosts?status=mia" class="tile">
            <strong>{s.mia_count}</strong> missing
          </Link>
          <Link href="/hosts?status=new" class="tile">
            <strong>{s.new_count}</strong> new
          </Link>
        </div>
      )}
      {s && s.platforms.length > 0 && (
        <table aria-label="Hosts by platform">
          <thead>
            <tr>
              <th>Platform</th>
              <th>Hosts</th>
            </tr>
          </thead>
          <tbody>
            {s.platforms.map((p) => (
              <tr>
                <td>{p.platform}</td>
                <td>{p.hosts_count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <Link href="/query" class="button primary">
          New live query
        </Link>
      </p>
    </Page>
  );
}
