/**
 * Shells (admins): the session record (GET /shells: who, when, how long, bytes each way), the
 * shell-enabled hosts (GET /shells/hosts) with "Open a shell", and one session's terminal.
 */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { duration, ErrorNote, Link, Page, useInterval, useLoad, when } from '../common';
import { navigate, useLocation } from '../router';
import { Terminal } from '../terminal';

interface ShellSession {
  session_id: string;
  host_id: number;
  hostname: string;
  operator: { id: number; email: string };
  status: string;
  requested_at: string;
  operator_joined_at: string | null;
  closed_at: string | null;
  close_reason: string | null;
  bytes_to_launcher: number;
  bytes_from_launcher: number;
}
interface ShellHost {
  host_id: number;
  hostname: string;
  display_name: string;
  last_poll_at: string | null;
}

export async function openShell(hostId: number, name: string): Promise<void> {
  const session = await api<{ session_id: string }>('POST', `/hosts/${hostId}/shells`);
  navigate(`/shells/${encodeURIComponent(session.session_id)}?host=${encodeURIComponent(name)}`);
}

export function ShellList() {
  const sessions = useLoad(() => api<{ shells: ShellSession[] }>('GET', '/shells').then((a) => a.shells), []);
  const hosts = useLoad(() => api<{ hosts: ShellHost[] }>('GET', '/shells/hosts').then((a) => a.hosts), []);
  const [error, setError] = useState<unknown>(null);
  useInterval(() => {
    sessions.reload();
    hosts.reload();
  }, 3_000);
  return (
    <Page title="Shells">
      <ErrorNote error={error ?? sessions.error ?? hosts.error} />
      <h2>Hosts with remote shells enabled</h2>
      <p class="hint">A host appears here once its launcher polls Logbook's control server. Every session is recorded.</p>
      <table aria-label="Shell-enabled hosts">
        <thead>
          <tr>
            <th>Host</th>
            <th>Last poll</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(hosts.data ?? []).map((h) => (
            <tr>
              <td>
                <Link href={`/hosts/${h.host_id}`}>{h.display_name || h.hostname}</Link>
              </td>
              <td>{h.last_poll_at ? when(h.last_poll_at) : 'not since Logbook started'}</td>
              <td>
                <button type="button" onClick={() => openShell(h.host_id, h.display_name || h.hostname).catch(setError)}>
                  Open a shell on {h.display_name || h.hostname}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Sessions</h2>
      <table aria-label="Shell sessions">
        <thead>
          <tr>
            <th>Host</th>
            <th>Operator</th>
            <th>Requested</th>
            <th>How long</th>
            <th>Status</th>
            <th>Bytes in / out</th>
          </tr>
        </thead>
        <tbody>
          {(sessions.data ?? []).map((s) => (
            <tr>
              <td>{s.hostname}</td>
              <td>{s.operator.email}</td>
              <td>{when(s.requested_at)}</td>
              <td>{s.closed_at ? duration(Date.parse(s.closed_at) - Date.parse(s.operator_joined_at ?? s.requested_at)) : 'open'}</td>
              <td>
                {s.status}
                {s.close_reason ? `: ${s.close_reason}` : ''}
              </td>
              <td>
                {s.bytes_to_launcher} / {s.bytes_from_launcher}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}

export function ShellView({ sessionId }: { sessionId: string }) {
  const place = useLocation();
  const host = place.query.get('host') ?? 'host';
  return (
    <Page title={`Shell on ${host}`} actions={<Link href="/shells">All sessions</Link>}>
      <Terminal sessionId={sessionId} />
    </Page>
  );
}
