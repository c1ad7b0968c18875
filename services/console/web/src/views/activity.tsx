/**
 * The activity feed (GET /activities, newest first): filters by actor, type and time over the
 * newest FEED_SIZE entries, and new entries arriving live (asked for every POLL_MS). Details are
 * shown as JSON text, never as markup.
 */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorNote, Page, useInterval, useLoad, when } from '../common';

export interface Activity {
  id: number;
  created_at: string;
  actor_full_name: string | null;
  actor_email: string | null;
  type: string;
  details: Record<string, any>;
}

const FEED_SIZE = 500;
const POLL_MS = 2_000;

export function ActivityList(props: { activities: Activity[]; empty: string; fresh?: Set<number> }) {
  if (props.activities.length === 0) return <p class="hint">{props.empty}</p>;
  return (
    <ol class="activities" aria-label="Activities">
      {props.activities.map((a) => (
        <li class={props.fresh?.has(a.id) ? 'fresh' : undefined}>
          <div>
            <strong>{a.actor_full_name || a.actor_email || 'Logbook'}</strong> <span class="type">{a.type}</span> <time>{when(a.created_at)}</time>
          </div>
          {a.details && Object.keys(a.details).length > 0 && <pre class="details">{JSON.stringify(a.details)}</pre>}
        </li>
      ))}
    </ol>
  );
}

export function ActivityView() {
  const feed = useLoad(() => api<{ activities: Activity[] }>('GET', `/activities?per_page=${FEED_SIZE}`).then((a) => a.activities), []);
  const [known, setKnown] = useState<Set<number> | null>(null);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const [actor, setActor] = useState('');
  const [type, setType] = useState('');
  const [since, setSince] = useState('');
  useInterval(() => feed.reload(), POLL_MS);
  const all = feed.data ?? [];
  if (feed.data) {
    const ids = new Set(all.map((a) => a.id));
    if (known === null) setKnown(ids);
    else if (all.some((a) => !known.has(a.id))) {
      setFresh(new Set(all.filter((a) => !known.has(a.id)).map((a) => a.id)));
      setKnown(ids);
    }
  }
  const actors = [...new Set(all.map((a) => a.actor_email ?? ''))].filter(Boolean).sort();
  const types = [...new Set(all.map((a) => a.type))].sort();
  const sinceMs = since ? Date.parse(since) : NaN;
  const shown = all.filter((a) => (!actor || a.actor_email === actor) && (!type || a.type === type) && (Number.isNaN(sinceMs) || Date.parse(a.created_at) >= sinceMs));
  return (
    <Page title="Activity">
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Activity filters">
        <label>
          Actor{' '}
          <select value={actor} onChange={(e) => setActor((e.target as HTMLSelectElement).value)}>
            <option value="">anyone</option>
            {actors.map((email) => (
              <option value={email}>{email}</option>
            ))}
          </select>
        </label>
        <label>
          Type{' '}
          <select value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            {types.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Since <input type="datetime-local" value={since} onInput={(e) => setSince((e.target as HTMLInputElement).value)} />
        </label>
      </form>
      <p class="hint">The newest {FEED_SIZE} entries; new ones appear as they happen.</p>
      <ErrorNote error={feed.error} />
      <ActivityList activities={shown} empty="No activity matches." fresh={fresh} />
    </Page>
  );
}
