/** Settings: the organization and the global agent options (GET/PATCH /config; only admins change them). */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { CodeEditor } from '../code-editor';
import { ErrorNote, isAdmin, Page, useLoad, useMe } from '../common';

export function SettingsView() {
  const me = useMe();
  const config = useLoad(() => api<any>('GET', '/config'), []);
  const [orgName, setOrgName] = useState('');
  const [options, setOptions] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    if (!config.data) return;
    setOrgName(config.data.org_info?.org_name ?? '');
    setOptions(config.data.agent_options === undefined ? '' : JSON.stringify(config.data.agent_options, null, 2));
  }, [config.data]);
  const admin = isAdmin(me);
  async function save(event: Event) {
    event.preventDefault();
    setError(null);
    setSaved(null);
    try {
      const patch: Record<string, unknown> = { org_info: { org_name: orgName } };
      if (admin && options.trim() !== '') {
        try {
          patch.agent_options = JSON.parse(options);
        } catch (parseError) {
          throw new Error(`Agent options are not valid JSON: ${(parseError as Error).message}`);
        }
      }
      await api('PATCH', '/config', patch);
      setSaved('Settings saved.');
      config.reload();
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <Page title="Settings">
      <ErrorNote error={config.error} />
      {config.data && (
        <form class="card wide" onSubmit={save} aria-label="Settings">
          <label>
            Organization name <input value={orgName} readOnly={!admin} onInput={(e) => setOrgName((e.target as HTMLInputElement).value)} />
          </label>
          <p>
            Server URL: <code>{config.data.server_settings?.server_url ?? '—'}</code>
          </p>
          {admin ? (
            <>
              <h2>Agent options (JSON)</h2>
              <CodeEditor language="yaml" label="Agent options" value={options} onChange={setOptions} />
              <button type="submit" class="primary">
                Save settings
              </button>
            </>
          ) : (
            <p class="hint">Only admins change the settings and see the agent options.</p>
          )}
          {saved && <p role="status">{saved}</p>}
          <ErrorNote error={error} />
        </form>
      )}
    </Page>
  );
}
