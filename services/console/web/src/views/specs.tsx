/**
 * Specs: the list per kind, one spec's YAML (fleetctl's format) to edit and apply, and its
 * history: every version with who applied it and when, a side-by-side field diff between any two
 * versions, and re-applying an old version (a new, audited apply). A deleted spec keeps its
 * history. A YAML that does not parse, or that the API rejects, is shown beside the editor and
 * nothing is applied.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { CodeEditor } from '../code-editor';
import { ErrorNote, Link, Page, useLoad, useMe, when, writesFleet, type Me } from '../common';
import { navigate } from '../router';
import type { Activity } from './activity';

const KINDS: Array<[string, string]> = [
  ['queries', 'Queries'],
  ['packs', 'Packs'],
  ['labels', 'Labels'],
  ['policies', 'Policies'],
  ['teams', 'Teams'],
  ['enroll_secret', 'Enroll secrets'],
];
const DELETIONS: Record<string, [string, string]> = { queries: ['deleted_saved_query', 'query_name'], packs: ['deleted_pack', 'pack_name'], labels: ['deleted_label', 'label_name'], policies: ['deleted_policy', 'policy_name'], teams: ['deleted_team', 'team_name'] };
const TEMPLATES: Record<string, object> = {
  queries: { name: 'new-query', description: '', query: 'SELECT * FROM osquery_info;', observer_can_run: false },
  packs: { name: 'new-pack', targets: { labels: ['All Hosts'] }, queries: [] },
  labels: { name: 'new-label', query: "SELECT 1 FROM os_version WHERE platform = 'ubuntu';", label_membership_type: 'dynamic' },
  policies: { name: 'new-policy', query: 'SELECT 1;', resolution: '' },
  teams: { name: 'new-team' },
};

interface Version {
  version: number;
  applied_at: string;
  applied_by: { id: number | null; email: string | null };
  spec: unknown;
  deleted?: true;
}

function mayApply(me: Me, kind: string): boolean {
  return kind === 'teams' ? me.global_role === 'admin' : writesFleet(me);
}

function KindTabs({ kind }: { kind: string }) {
  return (
    <nav class="tabs" aria-label="Spec kinds">
      {KINDS.map(([plural, label]) => (
        <Link href={plural === 'enroll_secret' ? '/specs/enroll_secret/global' : `/specs/${plural}`} aria-current={plural === kind ? 'page' : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );
}

export function SpecList({ kind }: { kind: string }) {
  const me = useMe();
  useEffect(() => {
    if (kind === 'enroll_secret') navigate('/specs/enroll_secret/global', { replace: true });
  }, [kind]);
  const specs = useLoad(() => api<{ specs: Array<Record<string, any>> }>('GET', `/spec/${kind}`).then((a) => a.specs), [kind]);
  const deletions = DELETIONS[kind];
  const activity = useLoad(() => (deletions ? api<{ activities: Activity[] }>('GET', '/activities?per_page=500').then((a) => a.activities) : Promise.resolve([])), [kind]);
  const live = new Set((specs.data ?? []).map((s) => String(s.name)));
  const deleted = deletions ? [...new Set((activity.data ?? []).filter((a) => a.type === deletions[0]).map((a) => String(a.details?.[deletions[1]] ?? '')))].filter((name) => name && !live.has(name)) : [];
  const title = KINDS.find(([plural]) => plural === kind)?.[1] ?? kind;
  return (
    <Page title={`Specs: ${title}`} actions={mayApply(me, kind) && TEMPLATES[kind] ? <Link href={`/specs/${kind}/new`} class="button primary">New {title.toLowerCase().replace(/s$/, '').replace(/ie$/, 'y')}</Link> : undefined}>
      <KindTabs kind={kind} />
      <ErrorNote error={specs.error} />
      <table aria-label={title}>
        <thead>
          <tr>
            <th>Name</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {(specs.data ?? []).map((s) => (
            <tr>
              <td>
                <Link href={`/specs/${kind}/${encodeURIComponent(String(s.name))}`}>{String(s.name)}</Link>
              </td>
              <td>{String(s.description ?? s.query ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {deleted.length > 0 && (
        <>
          <h2>Deleted</h2>
          <ul aria-label={`Deleted ${title.toLowerCase()}`}>
            {deleted.map((name) => (
              <li>
                <Link href={`/specs/${kind}/${encodeURIComponent(name)}`}>{name}</Link> <span class="hint">(deleted; its history remains)</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </Page>
  );
}

export function SpecPage({ kind, name }: { kind: string; name: string }) {
  const me = useMe();
  const isNew = name === 'new';
  const secrets = kind === 'enroll_secret';
  const spec = useLoad(async () => {
    if (isNew) return TEMPLATES[kind] ?? {};
    if (secrets) return (await api<{ spec: unknown }>('GET', '/spec/enroll_secret')).spec;
    try {
      return (await api<{ specs: unknown }>('GET', `/spec/${kind}/${encodeURIComponent(name)}`)).specs;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }, [kind, name]);
  const history = useLoad(() => (isNew || secrets ? Promise.resolve([] as Version[]) : api<{ history: Version[] }>('GET', `/spec/${kind}/${encodeURIComponent(name)}/history`).then((a) => a.history)), [kind, name]);
  const [yamlModule, setYamlModule] = useState<typeof import('../spec-yaml') | null>(null);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const [applied, setApplied] = useState<string | null>(null);
  useEffect(() => void import('../spec-yaml').then(setYamlModule), []);
  useEffect(() => {
    if (yamlModule && spec.data) setText(yamlModule.specAsYaml(kind, spec.data));
  }, [yamlModule, spec.data]);

  async function apply(source: string, what: string) {
    if (!yamlModule) return;
    setProblem(null);
    setApplied(null);
    const parsed = yamlModule.parseSpecs(kind, source);
    if (!parsed.ok) {
      setProblem(new Error(`Nothing applied: ${parsed.problem}`));
      return;
    }
    try {
      if (secrets) await api('POST', '/spec/enroll_secret', { spec: parsed.specs[0] });
      else await api('POST', `/spec/${kind}`, { specs: parsed.specs });
      setApplied(`Applied ${what}.`);
      const appliedName = String(parsed.specs[0].name ?? name);
      if (!secrets && appliedName !== name) navigate(`/specs/${kind}/${encodeURIComponent(appliedName)}`);
      else {
        spec.reload();
        history.reload();
      }
    } catch (error) {
      setProblem(error instanceof ApiError && error.status !== 403 && error.status !== 0 ? new Error(`Nothing applied: ${error.message}`) : error);
    }
  }

  const writable = mayApply(me, kind);
  const deleted = !isNew && spec.data === null;
  const title = secrets ? 'Enroll secrets' : isNew ? `New ${kind.replace(/ies$/, 'y').replace(/s$/, '')}` : name;
  return (
    <Page title={title}>
      <KindTabs kind={kind} />
      <ErrorNote error={spec.error} />
      {deleted && <p class="notice">This spec is deleted. Its history remains below; re-applying a version brings it back.</p>}
      {!deleted && (
        <div class="columns">
          <section class="card grow" aria-label="Spec YAML">
            <CodeEditor language="yaml" label="Spec YAML" value={text} readOnly={!writable} onChange={setText} />
            {writable ? (
              <button type="button" class="primary" onClick={() => apply(text, 'the spec')}>
                Apply
              </button>
            ) : (
              <p class="hint">Your role ({me.global_role}) may read this spec but not apply it.</p>
            )}
          </section>
          <aside class="beside" aria-label="Apply result">
            {applied && <p role="status">{applied}</p>}
            <ErrorNote error={problem} />
          </aside>
        </div>
      )}
      {deleted && <ErrorNote error={problem} />}
      {deleted && applied && <p role="status">{applied}</p>}
      {!isNew && !secrets && <History versions={history.data ?? []} error={history.error} writable={writable} onReapply={(v) => yamlModule && apply(yamlModule.specAsYaml(kind, v.spec), `version ${v.version} again`)} />}
    </Page>
  );
}

function History(props: { versions: Version[]; error: unknown; writable: boolean; onReapply(version: Version): void }) {
  const versions = props.versions;
  const [left, setLeft] = useState<number | null>(null);
  const [right, setRight] = useState<number | null>(null);
  const [yamlModule, setYamlModule] = useState<typeof import('../spec-yaml') | null>(null);
  const [everyField, setEveryField] = useState(false);
  useEffect(() => void import('../spec-yaml').then(setYamlModule), []);
  const latest = versions.length ? versions[versions.length - 1].version : null;
  const a = versions.find((v) => v.version === (left ?? (latest !== null ? latest - 1 : null)));
  const b = versions.find((v) => v.version === (right ?? latest));
  const rows: Array<{ field: string; from: string; to: string; changed: boolean }> = [];
  if (yamlModule && a && b) {
    const fa = yamlModule.flatten(a.deleted ? {} : a.spec);
    const fb = yamlModule.flatten(b.deleted ? {} : b.spec);
    for (const field of [...new Set([...fa.keys(), ...fb.keys()])]) {
      const from = fa.get(field) ?? '';
      const to = fb.get(field) ?? '';
      if (everyField || from !== to) rows.push({ field, from, to, changed: from !== to });
    }
  }
  const pick = (set: (n: number) => void) => (e: Event) => set(Number((e.target as HTMLSelectElement).value));
  return (
    <section aria-label="History">
      <h2>History</h2>
      <ErrorNote error={props.error} />
      <table aria-label="Versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Applied by</th>
            <th>When</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {[...versions].reverse().map((v) => (
            <tr>
              <td>
                Version {v.version}
                {v.deleted ? ' (deleted)' : ''}
              </td>
              <td>{v.applied_by.email ?? 'Logbook'}</td>
              <td>{when(v.applied_at)}</td>
              <td>
                {props.writable && !v.deleted && (
                  <button type="button" onClick={() => props.onReapply(v)}>
                    Re-apply version {v.version}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {versions.length > 1 && (
        <>
          <h3>Compare versions</h3>
          <div class="filters">
            <label>
              From{' '}
              <select value={a?.version} onChange={pick(setLeft)}>
                {versions.map((v) => (
                  <option value={v.version}>version {v.version}</option>
                ))}
              </select>
            </label>
            <label>
              To{' '}
              <select value={b?.version} onChange={pick(setRight)}>
                {versions.map((v) => (
                  <option value={v.version}>version {v.version}</option>
                ))}
              </select>
            </label>
            <label class="inline">
              <input type="checkbox" checked={everyField} onChange={(e) => setEveryField((e.target as HTMLInputElement).checked)} /> every field
            </label>
          </div>
          <table aria-label="Field diff" class="diff">
            <thead>
              <tr>
                <th>Field</th>
                <th>Version {a?.version}</th>
                <th>Version {b?.version}</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td colSpan={3}>No field differs.</td>
                </tr>
              )}
              {rows.map((row) => (
                <tr class={row.changed ? 'changed' : undefined}>
                  <td>{row.field}</td>
                  <td>{row.from}</td>
                  <td>{row.to}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
